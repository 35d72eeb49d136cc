"""Reads for the data-protection pages and jobs: the agreement that gates a
transfer, what is held about one person, where export files live."""

from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from salama.audit.models import AuditEntry
from salama.core.models import Membership, Organisation
from salama.lib.screening.needs import need_name
from salama.privacy import access
from salama.privacy.models import (
    PURPOSE_CHOICES,
    SENSITIVITY_CHOICES,
    ExportFile,
    RecipientKind,
    SharingAgreement,
)
from salama.registry import audit_text
from salama.registry.forms import NAME_PARTS
from salama.registry.models import Person
from salama.registry.sensitivity import FIELD_SENSITIVITY
from salama.screening import catalogue
from salama.screening.models import Screening
from salama.screening.results import Teller, told


def export_path(export: ExportFile) -> Path:
    """Where the sealed file of `export` is kept (named by id only)."""
    return Path(settings.DATA_DIR) / "exports" / f"{export.pk}.zip"


def export_days() -> int:
    """How long a file may be downloaded: the setting, never more than 30 days."""
    return max(1, min(int(settings.SALAMA_EXPORT_DAYS), 30))


def export_is_expired(export: ExportFile, now: Any = None) -> bool:
    now = now or timezone.now()
    return export.status == ExportFile.Status.DELETED or export.expires_at <= now


def exports_due_for_deletion(now: Any = None) -> QuerySet[ExportFile]:
    now = now or timezone.now()
    return ExportFile.objects.filter(expires_at__lte=now).exclude(status=ExportFile.Status.DELETED)


def closed_person_days() -> int:
    """How long a closed file is kept before retention deletes it."""
    return max(1, int(settings.SALAMA_RETENTION_CLOSED_PERSON_DAYS))


def origin_transfers_allowed() -> bool:
    return bool(settings.SALAMA_ALLOW_TRANSFER_TO_ORIGIN_AUTHORITIES)


def active_agreement(
    from_org: Organisation,
    to_org_or_recipient: Organisation | str,
    purpose: str,
    on: date | None = None,
) -> SharingAgreement | None:
    """The active data-sharing agreement under which `from_org` may transfer
    data to `to_org_or_recipient` (an organisation in Salama, or the name of
    a recipient outside it) for `purpose` on the date `on` (today); None: no
    transfer (PROTECTION.md 15). Transfers to the authorities of the country
    of origin are refused even under an agreement unless the deployment sets
    SALAMA_ALLOW_TRANSFER_TO_ORIGIN_AUTHORITIES."""
    on = on or timezone.localdate()
    # An agreement ended early is not in force from the day it was ended.
    agreements = SharingAgreement.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=on),
        from_organisation=from_org,
        starts_on__lte=on,
        ends_on__gte=on,
    )
    if isinstance(to_org_or_recipient, Organisation):
        agreements = agreements.filter(to_organisation=to_org_or_recipient)
    else:
        name = to_org_or_recipient.strip()
        if not name:
            return None
        agreements = agreements.filter(to_organisation__isnull=True, recipient_name__iexact=name)
    if not origin_transfers_allowed():
        agreements = agreements.exclude(recipient_kind=RecipientKind.ORIGIN_AUTHORITIES)
    # JSON containment is not portable to SQLite: the few candidates are checked here.
    for agreement in agreements.order_by("-starts_on", "-created_at"):
        if purpose in agreement.purposes:
            return agreement
    return None


# The records about a person whose fields an agreement may name, in the order
# a bare field name is looked up ("phone" is the person's phone).
SHAREABLE_MODELS = (
    "registry.Person",
    "registry.Household",
    "registry.IdentityDocument",
    "registry.LegalBasis",
    "screening.Screening",
    "screening.Alert",
    "screening.Submission",
    "screening.Attachment",
)


def _shareable_model(name: str) -> tuple[str, str] | None:
    """(model, field) of a field name an agreement names: "given_name" or
    "registry.Person.given_name"; None if no record has it."""
    if name.count(".") == 2:
        model, _sep, field = name.rpartition(".")
        known = model in SHAREABLE_MODELS and field in FIELD_SENSITIVITY.get(model, {})
        return (model, field) if known else None
    for model in SHAREABLE_MODELS:
        if name in FIELD_SENSITIVITY[model]:
            return model, name
    return None


def unknown_fields(names: list[str]) -> list[str]:
    """The names that are no field of the records about a person."""
    return [name for name in names if _shareable_model(name) is None]


def shared_field_label(name: str) -> str:
    """A field an agreement names, in the reader's language."""
    found = _shareable_model(name)
    if found is None:
        return name
    model, field = found
    label = getattr(apps.get_model(model)._meta.get_field(field), "verbose_name", field)
    if model == "registry.Person":
        return str(label)
    return f"{label} ({audit_text.model_label(model)})"


def agreement_shared(agreement: SharingAgreement) -> dict[str, list[str]]:
    """What an agreement shares, in words: its classes and its fields."""
    classes = dict(SENSITIVITY_CHOICES)
    purposes = dict(PURPOSE_CHOICES)
    return {
        "classes": [str(classes.get(code, code)) for code in agreement.sensitivity_classes],
        "fields": [shared_field_label(name) for name in agreement.fields],
        "purposes": [
            str(purposes[code]) if code in purposes else audit_text.purpose_label(code)
            for code in agreement.purposes
        ],
    }


# What the file a person receives contains, field by field of their record.
PERSON_FIELDS = (
    "registration_number",
    *NAME_PARTS,
    "sex",
    "birth_date",
    "birth_date_estimated",
    "stated_age",
    "stated_age_on",
    "nationality",
    "origin_country",
    "origin_admin1",
    "origin_place",
    "languages",
    "phone",
    "specific_needs",
    "relationship",
    "created_at",
    "updated_at",
)


def _value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    return str(value)


# Labels for the record's own dates, which the model does not name.
DATE_LABELS = {
    "created_at": gettext_lazy("registered on"),
    "updated_at": gettext_lazy("last changed on"),
}


def _shown(record: Any, name: str, value: Any, language: str) -> Any:
    """A value as the person reads it: words for yes/no, choices and needs."""
    field = record._meta.get_field(name)
    if name == "specific_needs":
        return ", ".join(need_name(code, language) for code in value or [])
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if field.choices and value not in (None, ""):
        return str(getattr(record, f"get_{name}_display")())
    if name in ("nationality", "origin_country") and value:
        return str(value.name)
    return _value(value)


def _labelled(
    model: Any, record: Any, names: tuple[str, ...], language: str
) -> list[dict[str, Any]]:
    """Each field as (name, label in the current language, value, value shown)."""
    rows = []
    for name in names:
        field = model._meta.get_field(name)
        value = getattr(record, name)
        label = DATE_LABELS.get(name) or getattr(field, "verbose_name", None) or name
        rows.append(
            {
                "field": name,
                "label": str(label),
                "value": _value(value),
                "shown": _shown(record, name, value, language),
            }
        )
    return rows


def _screening(screening: Screening, language: str, orgs: dict[int, str]) -> dict[str, Any]:
    instrument = catalogue.instruments().get(screening.instrument)
    answers = screening.answers or {}
    if instrument is not None:
        teller = Teller(instrument, language, screening.profile)
        shown = [
            {"item": item_id, "question": teller.item(item_id), "answer": teller.answer(item_id, v)}
            for item_id, v in answers.items()
            if item_id in teller.items
        ]
    else:
        shown = [{"item": k, "question": k, "answer": str(v)} for k, v in answers.items()]
    result = screening.result or {}
    told_result = told(result, language) if result.get("instrument") else {}
    alert = _safe_alert(screening)
    return {
        "id": str(screening.pk),
        "instrument": screening.instrument,
        "instrument_version": screening.instrument_version,
        "title": str(told_result.get("title") or screening.instrument),
        "profile": screening.profile,
        "screened_at": screening.screened_at.isoformat(),
        "screened_by": orgs.get(screening.screened_by_id or 0, ""),
        "outcome": screening.outcome,
        "outcome_label": str(told_result.get("outcome_label") or screening.outcome),
        "explanation": str(told_result.get("explanation") or ""),
        "level": screening.level,
        "indicators": [i.item for i in screening.indicators.all()],
        "answers": answers,
        "answers_shown": shown,
        "result": result,
        "alert": (
            {"level": alert.level, "status": alert.status, "referrals": alert.referrals}
            if alert is not None
            else None
        ),
    }


def _organisation_names(user_ids: set[int]) -> dict[int, str]:
    """Each staff user's organisations ("CMA, PNGO"). The person's file names the
    organisation that read or changed their record, not the staff member: a
    request may be made under pressure, and staff working on trafficking cases
    are not to be exposed by name. The officer's "who accessed this person"
    page names each user."""
    names: dict[int, set[str]] = {}
    memberships = Membership.objects.filter(user_id__in=user_ids).select_related("organisation")
    for membership in memberships:
        names.setdefault(membership.user_id, set()).add(membership.organisation.short_name)
    return {user_id: ", ".join(sorted(orgs)) for user_id, orgs in names.items()}


def _safe_alert(screening: Screening) -> Any:
    try:
        return screening.alert
    except Screening.alert.RelatedObjectDoesNotExist:  # type: ignore[attr-defined]
        return None


def subject_data(person: Person, *, language: str, organisation_ids: set[int]) -> dict[str, Any]:
    """Everything Salama holds about `person` that the organisations answering
    hold: call inside translation.override(language) for the labels."""
    household = person.household
    revisions = list(person.revisions.order_by("at"))
    found = list(access.subject_screenings(person, organisation_ids))
    submissions = list(access.subject_submissions(person, organisation_ids))
    merged = [str(pk) for pk in access.merged_record_ids(person)]
    screening_ids = [str(s.pk) for s in found]
    audit = list(
        AuditEntry.objects.filter(
            Q(model="registry.Person", record_id__in=[str(person.pk), *merged])
            | Q(model="registry.Household", record_id=str(household.pk))
            | Q(model__startswith="screening.", record_id__in=screening_ids)
        ).order_by("id")
    )
    user_ids = {e.user_id for e in audit if e.user_id is not None}
    user_ids |= {r.user_id for r in revisions if r.user_id is not None}
    user_ids |= {s.screened_by_id for s in found if s.screened_by_id is not None}
    orgs = _organisation_names(user_ids)
    screenings = [_screening(s, language, orgs) for s in found]
    return {
        "more": more_sections(person, organisation_ids),
        "language": language,
        "generated_at": timezone.now().isoformat(),
        "person": _labelled(Person, person, PERSON_FIELDS, language),
        "household": {
            "registration_number": household.registration_number,
            "site": str(household.site.name),
            "shelter": household.shelter,
            "members": household.members.count(),
        },
        "documents": [
            {"type": d.get_document_type_display(), "number": d.number, "issuer": d.issuer}
            for d in person.documents.all()
        ],
        "legal_bases": [
            {
                "purpose": b.get_purpose_display(),
                "basis": b.get_basis_display(),
                "recorded_at": b.recorded_at.isoformat(),
            }
            for b in person.legal_bases.all()
        ],
        "revisions": [
            {
                "at": r.at.isoformat(),
                "by": orgs.get(r.user_id or 0, ""),
                "changed_fields": r.changed_fields,
                "changed": audit_text.field_labels(r.changed_fields),
                "before": r.before,
            }
            for r in revisions
        ],
        "merged_records": merged,
        "screenings": screenings,
        "submissions": [
            {
                "id": str(s.pk),
                "form": s.form_id,
                "form_version": s.form_version,
                "received_at": s.received_at.isoformat(),
                "status": s.get_status_display(),
                "xml": s.xml,
                "attachments": [
                    {"name": a.name, "type": a.content_type, "size": a.size, "sha256": a.sha256}
                    for a in s.attachments.all()
                ],
            }
            for s in submissions
        ],
        "access_log": [
            {
                "at": e.at.isoformat(),
                "organisation": orgs.get(e.user_id or 0, "Salama"),
                "action": e.action,
                "action_label": audit_text.action_label(e.action),
                "purpose": e.purpose,
                "purpose_label": audit_text.purpose_label(e.purpose),
                "record": e.model,
            }
            for e in audit
        ],
    }


# Sections that apps built after this one add to a person's own-data file,
# named by dotted path so that privacy imports none of them. Each is a
# function (person, organisation_ids) -> {"title": str, "columns": [str],
# "rows": [[str]]}, called inside the file's language.
MORE_SECTIONS = (
    "salama.presence.subject.subject_section",
    "salama.tracing.subject.subject_section",
    "salama.cases.subject.subject_section",
    "salama.civil.subject.subject_section",
)


def more_sections(person: Person, organisation_ids: set[int]) -> list[dict[str, Any]]:
    from django.utils.module_loading import import_string

    return [import_string(path)(person, organisation_ids) for path in MORE_SECTIONS]
