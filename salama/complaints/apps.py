from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "salama.complaints"
    verbose_name = _("Complaints of sexual exploitation and abuse")
    default_auto_field = "django.db.models.BigAutoField"
