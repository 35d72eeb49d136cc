"""Labels of the screening codes shown to users."""

from django.utils.translation import gettext_lazy as _

REFERRAL_LABELS = {
    "case_management": _("Case management"),
    "child_protection": _("Child protection"),
    "counter_trafficking": _("Counter-trafficking assistance"),
    "education": _("Education"),
    "family_tracing": _("Family tracing and reunification"),
    "gbv_services": _("GBV services"),
    "legal_aid": _("Legal aid"),
    "livelihoods": _("Livelihoods"),
    "medical": _("Medical care"),
    "mhpss": _("Mental health and psychosocial support"),
    "safe_shelter": _("Safe shelter"),
}
PROFILE_LABELS = {"adult": _("Adult"), "child": _("Child")}
WITH_LABELS = {
    "caregiver": _("A parent or caregiver"),
    "caseworker": _("A trained child-protection caseworker"),
}


def referral_labels(codes: list[str]) -> list[str]:
    return [str(REFERRAL_LABELS.get(c, c)) for c in codes]
