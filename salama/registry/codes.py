"""Reference codes used by the registry, loaded once from package data."""

import json
from functools import cache
from importlib import resources

from django.utils.translation import gettext_lazy as _

RELATIONSHIPS = [
    ("head", _("Head of household")),
    ("spouse", _("Spouse")),
    ("child", _("Son or daughter")),
    ("parent", _("Father or mother")),
    ("sibling", _("Brother or sister")),
    ("grandchild", _("Grandchild")),
    ("grandparent", _("Grandparent")),
    ("other_relative", _("Other relative")),
    ("unrelated", _("Not related")),
]

SEXES = [("F", _("Female")), ("M", _("Male")), ("X", _("Other")), ("U", _("Unknown"))]

DOCUMENT_TYPES = [
    ("national_id", _("National identity card")),
    ("passport", _("Passport")),
    ("birth_certificate", _("Birth certificate")),
    ("refugee_id", _("Refugee or asylum-seeker ID")),
    ("family_book", _("Family book")),
    ("other", _("Other document")),
]

PURPOSES = [
    ("registration", _("Registration and assistance")),
    ("protection", _("Protection and case management")),
    ("tracing", _("Tracing and family reunification")),
    ("civil_registration", _("Civil registration")),
    ("statistics", _("Anonymous statistics")),
    ("sharing", _("Sharing with partner organisations")),
]

LEGAL_BASES = [
    ("consent", _("Consent")),
    ("vital_interest", _("Vital interest")),
    ("public_interest", _("Public interest")),
    ("legitimate_interest", _("Legitimate interest")),
    ("legal_obligation", _("Legal obligation")),
]


@cache
def specific_needs() -> dict[str, str]:
    text = resources.files("salama").joinpath("data/specific_needs.json").read_text("utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}
