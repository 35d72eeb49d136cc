from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "salama.cases"
    verbose_name = _("Cases and referrals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A new screening alert about a person with an open case goes to that
        # case's caseworker and supervisor, not to every caseworker of the site.
        from salama.cases.selectors import alert_route
        from salama.screening.selectors import ALERT_ROUTES

        if alert_route not in ALERT_ROUTES:
            ALERT_ROUTES.append(alert_route)
