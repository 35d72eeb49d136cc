from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivilConfig(AppConfig):
    name = "salama.civil"
    verbose_name = _("Civil registration")
    default_auto_field = "django.db.models.BigAutoField"
