"""Pages of the cases app's directory part, included by salama/cases/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
