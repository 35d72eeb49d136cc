"""Public verification of certificates, under /verify/ (no account)."""

from django.urls import path

from salama.civil import views_public

urlpatterns = [
    path("", views_public.verify_form, name="civil_verify_form"),
    path("key.pem", views_public.public_key, name="civil_public_key"),
    path("<str:serial>", views_public.verify, name="civil_verify"),
]
