"""The public pages, under /missing/: no account, no JavaScript needed."""

from django.urls import path

from salama.tracing import views_public

urlpatterns = [
    path("", views_public.report, name="missing_report"),
    path("status/", views_public.status, name="missing_status"),
]
