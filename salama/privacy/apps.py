from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "salama.privacy"
    label = "privacy"
    verbose_name = "Data protection"
