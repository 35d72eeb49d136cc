"""What a referral may carry: the fields a receiving service needs, by type
of service, and the copy of them that is all the receiver ever reads."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.cases.models import ProtectionCase, ServiceType
from salama.lib.ages import age_band, best_age

T = ServiceType
# Services of the police or other authorities: a separate, explicit decision.
AUTHORITY_TYPES = frozenset({T.LAW_ENFORCEMENT})

# Every field a referral can carry, with its label. Names and birth dates are
# the registry's; the rest is the case's.
REFERRAL_FIELDS: dict[str, Any] = {
    "name": _("Name"),
    "sex": _("Sex"),
    "age_band": _("Age band"),
    "birth_date": _("Date of birth"),
    "phone": _("Phone"),
    "languages": _("Languages"),
    "location": _("Site and block"),
    "case_type": _("Case type"),
    "risk": _("Risk level"),
    "reason": _("Reason for referral"),
    "caregiver": _("Caregiver involvement"),
}
# The registry fields behind each, for the data-sharing agreement's field list.
REGISTRY_FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("given_name", "family_name"),
    "sex": ("sex",),
    "age_band": ("birth_date",),
    "birth_date": ("birth_date",),
    "phone": ("phone",),
    "languages": ("languages",),
}
# The sensitivity class of each (an agreement may limit the classes it shares).
FIELD_CLASSES: dict[str, str] = {
    "name": "personal",
    "sex": "personal",
    "age_band": "personal",
    "birth_date": "personal",
    "phone": "personal",
    "languages": "personal",
    "location": "personal",
    "caregiver": "sensitive",
    "case_type": "highly_sensitive",
    "risk": "highly_sensitive",
    "reason": "highly_sensitive",
}
# What every service may need to receive someone (and what an override sends).
_MINIMAL = ("name", "sex", "age_band", "languages", "location", "reason")
_MORE: dict[str, tuple[str, ...]] = {
    T.HEALTH: ("phone",),
    T.SRH: ("phone",),
    T.CLINICAL_RAPE: ("phone", "case_type"),
    T.PSYCHOSOCIAL: ("phone", "case_type", "risk"),
    T.SAFE_SHELTER: ("phone", "case_type", "risk", "caregiver"),
    T.FOOD: (),
    T.CASH: ("phone",),
    T.LIVELIHOODS: ("phone",),
    T.EDUCATION: ("caregiver",),
    T.LEGAL_AID: ("phone", "birth_date", "case_type"),
    T.CHILD_PROTECTION: ("phone", "birth_date", "case_type", "risk", "caregiver"),
    T.DDR: ("phone", "birth_date"),
    T.FAMILY_TRACING: ("phone", "birth_date"),
    T.DOCUMENTATION: ("birth_date",),
    T.LAW_ENFORCEMENT: ("phone", "birth_date", "case_type"),
}


def fields_needed(service_type: str, *, minimal: bool = False) -> list[str]:
    """The fields a service of this type may receive; `minimal`: only what
    any service needs to receive the person."""
    if minimal:
        return list(_MINIMAL)
    return [*_MINIMAL, *_MORE.get(service_type, ())]


def unknown_fields(names: list[str]) -> list[str]:
    return [name for name in names if name not in REFERRAL_FIELDS]


def not_covered_by_agreement(
    share: list[str], agreement_fields: list[str], agreement_classes: list[str]
) -> list[str]:
    """The shared fields the agreement does not cover: of a class it does not
    share, or whose registry fields its field list leaves out (an agreement
    without classes, or without a field list, is not limited by them)."""
    listed = {name.rpartition(".")[2] for name in agreement_fields}
    return [
        name
        for name in share
        if (agreement_classes and FIELD_CLASSES[name] not in agreement_classes)
        or (
            agreement_fields and any(field not in listed for field in REGISTRY_FIELDS.get(name, ()))
        )
    ]


def build_shared(case: ProtectionCase, share: list[str], reason: str) -> dict[str, Any]:
    """The copy that travels: plain values, frozen now."""
    person = case.person
    age = best_age(
        person.birth_date, person.birth_year_min, person.birth_year_max, timezone.localdate()
    )
    values: dict[str, Any] = {
        "name": " / ".join(
            dict.fromkeys(filter(None, (person.name("latin"), person.name("original"))))
        ),
        "sex": person.sex,
        "age_band": age_band(age),
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "phone": person.phone,
        "languages": list(person.languages or []),
        "location": person.household.site.name,
        "case_type": case.case_type,
        "risk": case.risk,
        "reason": reason,
        "caregiver": case.caregiver,
    }
    return {name: values[name] for name in share}
