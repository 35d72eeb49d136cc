"""The public pages, under /missing/: no account, no JavaScript needed."""

from django.urls import path  # noqa: F401

urlpatterns: list = []  # type: ignore[type-arg]
