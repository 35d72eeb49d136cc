"""Labels of the screening codes shown to users."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

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


ANSWER_LABELS = {
    "yes": _("Yes"),
    "no": _("No"),
    "dont_know": _("Does not know"),
    "refused": _("Prefers not to say"),
}


def answer_label(value: str) -> str:
    return str(ANSWER_LABELS.get(value, value))


def profile_labels(profiles: Any) -> str:
    """An instrument's profiles as words, e.g. "Adult, Child"."""
    separator = pgettext("list separator", ", ")  # Arabic has its own comma
    return separator.join(str(PROFILE_LABELS.get(p, p)) for p in profiles)


def referral_labels(codes: list[str]) -> list[str]:
    return [str(REFERRAL_LABELS.get(c, c)) for c in codes]
