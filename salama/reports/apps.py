from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "salama.reports"
    label = "reports"
    verbose_name = _("Reports by the four pillars")
    default_auto_field = "django.db.models.BigAutoField"
