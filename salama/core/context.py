from typing import Any

from django.conf import settings
from django.http import HttpRequest

from salama.core import access
from salama.core.roles import ROLE_LABELS, Perm


def salama(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "demo_mode": settings.DEMO,
        "enforce_2fa": settings.SALAMA_ENFORCE_2FA,
        "can_view_registry": access.has_perm(user, Perm.PERSON_VIEW),
        "can_register": access.has_perm(user, Perm.HOUSEHOLD_CREATE),
        "can_import": access.has_perm(user, Perm.REGISTRY_IMPORT),
        "can_export": access.has_perm(user, Perm.REGISTRY_EXPORT),
        "can_audit": access.has_perm(user, Perm.AUDIT_VIEW),
        "can_subject_access": access.has_perm(user, Perm.SUBJECT_ACCESS),
        "can_merge": access.has_perm(user, Perm.PERSON_MERGE),
        "can_screen": access.has_perm(user, Perm.SCREENING_CREATE),
        "can_see_alerts": access.has_perm(user, Perm.ALERT_VIEW),
        "can_see_figures": access.has_perm(user, Perm.AGGREGATE_VIEW),
        "can_administer": access.has_perm(user, Perm.ADMINISTER),
        "can_record_presence": access.has_perm(user, Perm.PRESENCE_RECORD),
        "can_see_absences": access.has_perm(user, Perm.ABSENCE_VIEW),
        # Findings (alerts, tracing cases) link to opening a protection case.
        "can_open_cases": access.has_perm(user, Perm.CASE_WORK),
        "user_roles": [ROLE_LABELS[r] for r in sorted(access.roles(user))],
        "name_script": _name_script(request),
    }


def _name_script(request: HttpRequest) -> str:
    user = request.user
    if user.is_authenticated and hasattr(user, "preference"):
        return str(user.preference.name_script)
    return "latin"
