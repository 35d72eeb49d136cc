"""Pages of the cases app's networks part, included by salama/cases/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
