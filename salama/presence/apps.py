from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PresenceConfig(AppConfig):
    name = "salama.presence"
    verbose_name = _("Presence checks")
    default_auto_field = "django.db.models.BigAutoField"
