"""Writes on exports, agreements, closed files and retention. Each in one
transaction and audited; personal data never goes into job arguments (a job
gets the export's id; the file's password travels encrypted in its row)."""

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from salama.audit.actions import audit_record
from salama.core import access as core_access
from salama.core.models import Organisation
from salama.core.roles import Perm
from salama.jobs.api import job_enqueue
from salama.lib import sealed
from salama.notifications.actions import notify
from salama.privacy import selectors
from salama.privacy.models import (
    PURPOSE_CHOICES,
    SENSITIVITY_CHOICES,
    ExportFile,
    FileClosure,
    RecipientKind,
    RetentionRun,
    SharingAgreement,
)
from salama.registry.models import (
    BlockingKey,
    Household,
    IdentityDocument,
    ImportJob,
    Person,
    PersonRevision,
)
from salama.screening.models import Alert, Attachment, Screening, Submission

# A sealed file can be attacked offline for as long as someone keeps a copy:
# longer than a login password (PROTECTION.md 21 asks at least 8 there).
FILE_PASSWORD_MIN_LENGTH = 12
FILE_PASSWORD_VALIDATORS: list[dict[str, Any]] = [
    {
        "NAME": "salama.core.passwords.TranslatedMinimumLengthValidator",
        "OPTIONS": {"min_length": FILE_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "salama.core.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 64}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SUBJECT_LANGUAGES = ("ar", "fr", "en")
REGISTRY_EXPORT_JOB = "salama.privacy.jobs.registry_export"
SUBJECT_ACCESS_JOB = "salama.privacy.jobs.subject_access_export"


class ExportError(ValueError):
    pass


class AgreementError(ValueError):
    """A refused agreement; `field` names the form field the problem is in."""

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def check_file_password(password: str) -> None:
    """Refuse a weak password for a sealed file (ValidationError naming why)."""
    validators = password_validation.get_password_validators(FILE_PASSWORD_VALIDATORS)
    password_validation.validate_password(password, password_validators=validators)


def new_export(
    *, user: Any, kind: str, organisation: Organisation, password: str, **extra: Any
) -> ExportFile:
    check_file_password(password)
    now = timezone.now()
    return ExportFile.objects.create(
        kind=kind,
        user=user,
        organisation=organisation,
        sealing_password=password,
        created_at=now,
        expires_at=now + timedelta(days=selectors.export_days()),
        **extra,
    )


def export_enqueue(export: ExportFile, handler: str) -> ExportFile:
    job = job_enqueue(
        handler,
        kwargs={"export_id": str(export.pk)},
        user=export.user,
        organisation=export.organisation,
    )
    export.job_id = str(job.pk)
    export.save(update_fields=["job_id"])
    audit_record(
        user=export.user,
        action="create",
        purpose=core_access.purpose(export.user),
        model="privacy.ExportFile",
        record_id=export.pk,
        changed_fields=[export.kind],
    )
    return export


@transaction.atomic
def export_request(*, user: Any, password: str) -> ExportFile:
    """Ask for the registry export: a job writes it, sealed with `password`."""
    if not core_access.has_perm(user, Perm.REGISTRY_EXPORT):
        raise PermissionDenied
    organisation = core_access.organisation_for(user, Perm.REGISTRY_EXPORT)
    export = new_export(
        user=user, kind=ExportFile.Kind.REGISTRY, organisation=organisation, password=password
    )
    return export_enqueue(export, REGISTRY_EXPORT_JOB)


@transaction.atomic
def subject_access_request(
    *, user: Any, person: Person, language: str, password: str
) -> ExportFile:
    """Ask for all data about `person` (fetched through privacy.access), for them,
    in `language` (PROTECTION.md 18)."""
    if not core_access.has_perm(user, Perm.SUBJECT_ACCESS):
        raise PermissionDenied
    if language not in SUBJECT_LANGUAGES:
        raise ExportError(f"language must be one of {', '.join(SUBJECT_LANGUAGES)}")
    organisation = core_access.organisation_for(user, Perm.SUBJECT_ACCESS)
    export = new_export(
        user=user,
        kind=ExportFile.Kind.SUBJECT_ACCESS,
        organisation=organisation,
        password=password,
        subject=person,
        language=language,
    )
    audit_record(
        user=user,
        action="subject_access",
        purpose="subject_access",
        model="registry.Person",
        record_id=person.pk,
    )
    return export_enqueue(export, SUBJECT_ACCESS_JOB)


def person_language(person: Person) -> str:
    """The first of the person's languages a file can be written in, or ""."""
    for code in person.languages or []:
        base = str(code).lower().split("-")[0]
        if base in SUBJECT_LANGUAGES:
            return base
    return ""


@transaction.atomic
def export_seal(
    *, export_id: str, members: dict[str, bytes], rows: int, columns: tuple[str, ...]
) -> ExportFile:
    """Seal the file of a pending export with its password, forget the
    password, audit the export (action "export", the columns that left) and
    tell the requester it is ready (reference and link only)."""
    export = ExportFile.objects.select_for_update().get(pk=export_id)
    if export.status != ExportFile.Status.PENDING:
        return export  # sealed by an earlier attempt
    if selectors.export_is_expired(export):
        raise ExportError("this export expired before it could be written")
    export.size = sealed.seal(selectors.export_path(export), members, export.sealing_password)
    export.rows = rows
    export.status = ExportFile.Status.READY
    export.sealing_password = ""
    export.ready_at = timezone.now()
    export.save()
    audit_record(
        user=export.user,
        action="export",
        purpose=(
            "subject_access"
            if export.kind == ExportFile.Kind.SUBJECT_ACCESS
            else core_access.purpose(export.user)
        ),
        model="registry.Person",
        record_id=export.subject_id or "*",
        changed_fields=columns,
    )
    notify(
        recipients=[export.user],
        kind="privacy.export_ready",
        subject=_("Your file is ready to download"),
        reference=export.reference,
        link=f"/privacy/exports/{export.pk}/",
    )
    return export


@transaction.atomic
def export_fail(*, export_id: str) -> None:
    ExportFile.objects.filter(pk=export_id, status=ExportFile.Status.PENDING).update(
        status=ExportFile.Status.FAILED, sealing_password=""
    )


def export_download_record(*, user: Any, export: ExportFile) -> None:
    """Each download is audited (PROTECTION.md 14, 16)."""
    audit_record(
        user=user,
        action="download",
        purpose=core_access.purpose(user),
        model="privacy.ExportFile",
        record_id=export.pk,
        changed_fields=[export.kind],
    )


def _delete_export_file(export: ExportFile, now: Any) -> None:
    selectors.export_path(export).unlink(missing_ok=True)
    export.status = ExportFile.Status.DELETED
    export.sealing_password = ""
    export.deleted_at = now
    export.save(update_fields=["status", "sealing_password", "deleted_at"])


@transaction.atomic
def exports_delete_expired(*, now: Any = None) -> int:
    """Delete every export file past its expiry, and files no row claims (a
    person deleted meanwhile); one audit entry for the run."""
    now = now or timezone.now()
    deleted = []
    for export in selectors.exports_due_for_deletion(now).select_for_update():
        _delete_export_file(export, now)
        deleted.append(str(export.pk))
    folder = selectors.export_path(ExportFile(pk="00000000-0000-0000-0000-000000000000")).parent
    if folder.is_dir():
        status = {str(pk): s for pk, s in ExportFile.objects.values_list("pk", "status")}
        for path in folder.iterdir():
            # A file being sealed (".partial" of a pending export) is left alone.
            being_written = status.get(path.stem) == ExportFile.Status.PENDING
            if path.stem not in status or (path.suffix == ".partial" and not being_written):
                path.unlink(missing_ok=True)
                deleted.append(path.stem)
    if deleted:
        audit_record(
            user=None,
            action="delete",
            purpose="retention",
            model="privacy.ExportFile",
            record_id="*",
            changed_fields=[f"files={len(deleted)}"],
        )
    return len(deleted)


# --- Data-sharing agreements (PROTECTION.md 15) ---

_PURPOSES = {code for code, _label in PURPOSE_CHOICES}
_CLASSES = {code for code, _label in SENSITIVITY_CHOICES}
ORIGIN_REFUSED = _(
    "Transfers to the authorities of the country of origin are refused on this server: "
    "they can put people who fled at risk. Only a deployment that sets "
    "SALAMA_ALLOW_TRANSFER_TO_ORIGIN_AUTHORITIES may record such an agreement."
)


def unknown_fields_message(unknown: list[str]) -> str:
    return gettext(
        "Not a field of the records: %(names)s. Write the field names as the registry "
        "names them, one per line (for example given_name, family_name, phone)."
    ) % {"names": ", ".join(unknown)}


@transaction.atomic
def agreement_create(
    *,
    user: Any,
    from_organisation: Organisation,
    recipient_kind: str,
    to_organisation: Organisation | None,
    recipient_name: str,
    purposes: list[str],
    sensitivity_classes: list[str],
    fields: list[str],
    starts_on: date,
    ends_on: date,
    signatory: str,
) -> SharingAgreement:
    administered = core_access.administered_organisation_ids(user)
    if not (core_access.is_system_administrator(user) or from_organisation.pk in administered):
        raise PermissionDenied
    recipient_name = recipient_name.strip()
    fields = list(dict.fromkeys(f.strip() for f in fields if f.strip()))
    if recipient_kind not in RecipientKind.values:
        raise AgreementError(_("Choose the kind of recipient."), "recipient_kind")
    if (
        recipient_kind == RecipientKind.ORIGIN_AUTHORITIES
        and not selectors.origin_transfers_allowed()
    ):
        raise AgreementError(ORIGIN_REFUSED, "recipient_kind")
    if (to_organisation is None) == (not recipient_name):
        raise AgreementError(
            _("Name the recipient: an organisation in Salama or another recipient, not both.")
        )
    if to_organisation is not None and to_organisation.pk == from_organisation.pk:
        raise AgreementError(
            _("An organisation needs no agreement with itself."), "to_organisation"
        )
    if not purposes or not set(purposes) <= _PURPOSES:
        raise AgreementError(_("Choose at least one purpose."), "purposes")
    if not set(sensitivity_classes) <= _CLASSES:
        raise AgreementError(_("Choose sensitivity classes from the list."), "sensitivity_classes")
    unknown = selectors.unknown_fields(fields)
    if unknown:
        raise AgreementError(unknown_fields_message(unknown), "field_list")
    if not sensitivity_classes and not fields:
        raise AgreementError(
            _("Say what is shared: at least one sensitivity class or one field."),
            "sensitivity_classes",
        )
    if ends_on < starts_on:
        raise AgreementError(_("The end comes before the start."), "ends_on")
    if not signatory.strip():
        raise AgreementError(_("Name who signed the agreement."), "signatory")
    agreement = SharingAgreement.objects.create(
        from_organisation=from_organisation,
        to_organisation=to_organisation,
        recipient_name=recipient_name,
        recipient_kind=recipient_kind,
        purposes=sorted(set(purposes)),
        sensitivity_classes=sorted(set(sensitivity_classes)),
        fields=fields,
        starts_on=starts_on,
        ends_on=ends_on,
        signatory=signatory.strip(),
        created_by=user,
    )
    audit_record(
        user=user,
        action="create",
        purpose="accountability",
        model="privacy.SharingAgreement",
        record_id=agreement.pk,
    )
    return agreement


@transaction.atomic
def agreement_end(*, user: Any, agreement: SharingAgreement, now: Any = None) -> SharingAgreement:
    """End an agreement now: no transfer under it from today on. The signed
    period is kept; the day it ended and who ended it are recorded beside it."""
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.status == SharingAgreement.Status.ENDED:
        raise AgreementError(_("This agreement has already ended."))
    now = now or timezone.now()
    agreement.status = SharingAgreement.Status.ENDED
    agreement.ended_by = user
    agreement.ended_at = now
    agreement.ended_on = timezone.localdate(now)
    agreement.save(update_fields=["status", "ended_by", "ended_at", "ended_on"])
    audit_record(
        user=user,
        action="change",
        purpose="accountability",
        model="privacy.SharingAgreement",
        record_id=agreement.pk,
        changed_fields=["status", "ended_on"],
    )
    return agreement


# --- Closing a file: the start of a person's retention period ---


@transaction.atomic
def file_close(*, user: Any, person: Person, reason: str, now: Any = None) -> FileClosure:
    """Record that a person's file is closed (they left, were resettled, died,
    or asked for erasure); retention deletes it after its period."""
    if reason not in FileClosure.Reason.values:
        raise ValidationError(_("Choose why the file is closed."))
    closure, _created = FileClosure.objects.update_or_create(
        person=person,
        defaults={"reason": reason, "closed_at": now or timezone.now(), "closed_by": user},
    )
    audit_record(
        user=user,
        action="close",
        purpose=core_access.purpose(user),
        model="registry.Person",
        record_id=person.pk,
        changed_fields=["closed"],
    )
    return closure


# --- Retention (PROTECTION.md 19; periods in docs/data-protection.md) ---


def _period(setting: str) -> timedelta:
    return timedelta(days=max(1, int(getattr(settings, setting))))


def _with_merged(person_ids: set[Any]) -> set[Any]:
    """The persons and every record merged into them (the same people)."""
    found = set(person_ids)
    frontier = set(person_ids)
    while frontier:
        frontier = (
            set(Person.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
            - found
        )
        found |= frontier
    return found


def _ids(queryset: Any) -> list[str]:
    return [str(pk) for pk in queryset.values_list("pk", flat=True)]


def _delete_persons(person_ids: set[Any], counts: dict[str, int]) -> list[str]:
    persons = Person.objects.filter(pk__in=person_ids)
    counts["registry.BlockingKey"] = BlockingKey.objects.filter(person__in=persons).count()
    counts["registry.IdentityDocument"] = IdentityDocument.objects.filter(
        person__in=persons
    ).count()
    counts["registry.PersonRevision"] = PersonRevision.objects.filter(person__in=persons).count()
    screenings = Screening.objects.filter(person__in=persons)
    submissions = Submission.objects.filter(person__in=persons)
    counts["screening.Screening"] = screenings.count()
    counts["screening.Alert"] = Alert.objects.filter(person__in=persons).count()
    counts["screening.Submission"] = submissions.count()
    counts["screening.Attachment"] = Attachment.objects.filter(submission__in=submissions).count()
    for export in ExportFile.objects.filter(subject__in=persons):
        selectors.export_path(export).unlink(missing_ok=True)
    counts["privacy.ExportFile"] = ExportFile.objects.filter(subject__in=persons).count()
    household_ids = set(persons.values_list("household_id", flat=True))
    deleted = _ids(persons)
    # Merged duplicates point to the record kept (PROTECT): the latest merges go first.
    remaining = set(person_ids)
    while remaining:
        leaves = set(
            Person.objects.filter(pk__in=remaining)
            .exclude(
                pk__in=Person.objects.filter(merged_into_id__in=remaining).values("merged_into_id")
            )
            .values_list("pk", flat=True)
        )
        if not leaves:  # records merged into each other in a ring: nothing can go first
            raise RuntimeError("merged records form a cycle; retention stops without deleting")
        Person.objects.filter(pk__in=leaves).delete()
        remaining -= leaves
    empty = Household.objects.filter(pk__in=household_ids, members__isnull=True)
    counts["registry.Household"] = empty.count()
    empty.delete()
    counts["registry.Person"] = len(deleted)
    return deleted


@transaction.atomic
def retention_run(*, now: Any = None) -> RetentionRun:
    """Delete everything past its retention period, everywhere, and leave one
    audit entry with the counts (the run's row lists the ids, no personal data)."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    deleted: dict[str, list[str]] = {}

    closed = FileClosure.objects.filter(
        closed_at__lte=now - _period("SALAMA_RETENTION_CLOSED_PERSON_DAYS")
    ).values_list("person_id", flat=True)
    deleted["registry.Person"] = _delete_persons(_with_merged(set(closed)), counts)

    old_screenings = Screening.objects.filter(
        screened_at__lte=now - _period("SALAMA_RETENTION_SCREENING_DAYS")
    )
    counts["screening.Screening"] = counts.get("screening.Screening", 0) + old_screenings.count()
    counts["screening.Alert"] = (
        counts.get("screening.Alert", 0)
        + Alert.objects.filter(screening__in=old_screenings).count()
    )
    deleted["screening.Screening"] = _ids(old_screenings)
    old_screenings.delete()

    # A scored submission was processed into its screening; one waiting for review
    # or kept as a case intake is the record itself and lasts as long as a screening.
    old_submissions = Submission.objects.filter(
        Q(
            status=Submission.Status.SCORED,
            received_at__lte=now - _period("SALAMA_RETENTION_SUBMISSION_DAYS"),
        )
        | Q(received_at__lte=now - _period("SALAMA_RETENTION_SCREENING_DAYS"))
    )
    counts["screening.Submission"] = counts.get("screening.Submission", 0) + old_submissions.count()
    counts["screening.Attachment"] = (
        counts.get("screening.Attachment", 0)
        + Attachment.objects.filter(submission__in=old_submissions).count()
    )
    deleted["screening.Submission"] = _ids(old_submissions)
    old_submissions.delete()

    old_imports = ImportJob.objects.filter(
        created_at__lte=now - _period("SALAMA_RETENTION_IMPORT_DAYS")
    )
    counts["registry.ImportJob"] = old_imports.count()
    deleted["registry.ImportJob"] = _ids(old_imports)
    old_imports.delete()

    counts["privacy.ExportFile"] = counts.get("privacy.ExportFile", 0) + exports_delete_expired(
        now=now
    )
    counts = {k: v for k, v in sorted(counts.items()) if v}
    run = RetentionRun.objects.create(
        ran_at=now, counts=counts, deleted_ids={k: v for k, v in deleted.items() if v}
    )
    audit_record(
        user=None,
        action="retention",
        purpose="retention",
        model="privacy.RetentionRun",
        record_id=run.pk,
        changed_fields=[f"{model}={count}" for model, count in counts.items()],
    )
    return run
