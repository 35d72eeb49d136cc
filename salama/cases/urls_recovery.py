"""Pages of the cases app's recovery part, included by salama/cases/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
