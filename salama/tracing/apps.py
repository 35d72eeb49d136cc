from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "salama.tracing"
    verbose_name = _("Missing-persons desk")
    default_auto_field = "django.db.models.BigAutoField"
