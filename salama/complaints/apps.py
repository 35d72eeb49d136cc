from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "salama.complaints"
    verbose_name = _("Complaints of sexual exploitation and abuse")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The outreach teams' form joins the OpenRosa form list (salama/screening).
        from salama.complaints.fieldform import FIELD_FORM
        from salama.screening.field_forms import register_external

        register_external(FIELD_FORM)
