"""Exports, data-sharing agreements, closed files and retention runs
(PROTECTION.md 13-15, 18, 19; docs/data-protection.md)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedTextField
from salama.core.models import Organisation
from salama.registry.codes import PURPOSES


class ExportFile(models.Model):
    """One encrypted file asked for by one user: the registry export or a
    person's own data. The file lives in the data folder (exports/); this row
    says who asked, when it expires and whether it still exists."""

    class Kind(models.TextChoices):
        REGISTRY = "registry", _("Registry export")
        SUBJECT_ACCESS = "subject_access", _("A person's own data")
        CTDC = "ctdc", _("Case-level export (CTDC format)")

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        DELETED = "deleted", _("Expired and deleted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The person a subject-access file is about; deleting the person (retention)
    # deletes the file with it.
    subject = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    language = models.CharField(max_length=10, blank=True)
    # The password the file is sealed with, kept encrypted with the field keys
    # only until the job has sealed it, then emptied.
    sealing_password = EncryptedTextField(blank=True, default="")
    job_id = models.CharField(max_length=40, blank=True)
    rows = models.PositiveIntegerField(default=0)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.pk)

    @property
    def reference(self) -> str:
        """A short reference to quote (no personal data): EX- and the id's start."""
        return f"EX-{str(self.pk)[:8].upper()}"

    @property
    def filename(self) -> str:
        prefixes = {"registry": "salama-registry", "ctdc": "salama-ctdc"}
        prefix = prefixes.get(str(self.kind), "salama-own-data")
        return f"{prefix}-{str(self.pk)[:8]}.zip"


class RecipientKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation using Salama")
    UN_AGENCY = "un_agency", _("UN agency")
    NGO = "ngo", _("Non-governmental organisation")
    HOST_AUTHORITIES = "host_authorities", _("Authorities of the host country")
    ORIGIN_AUTHORITIES = "origin_authorities", _("Authorities of the country of origin")
    OTHER = "other", _("Other recipient")


SENSITIVITY_CHOICES = [
    ("public", _("Public")),
    ("personal", _("Personal")),
    ("sensitive", _("Sensitive")),
    ("highly_sensitive", _("Highly sensitive")),
]
PURPOSE_CHOICES = [*PURPOSES, ("referral", _("Referral for services"))]


class SharingAgreement(models.Model):
    """A data-sharing agreement: without an active one, nothing about a person
    is transferred to another organisation (PROTECTION.md 15)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("shared by")
    )
    # Either an organisation using Salama, or a recipient outside it named here.
    to_organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("shared with (organisation in Salama)"),
    )
    recipient_name = models.CharField(
        _("shared with (other recipient)"), max_length=200, blank=True
    )
    recipient_kind = models.CharField(
        _("kind of recipient"), max_length=30, choices=RecipientKind.choices
    )
    purposes = models.JSONField(_("purposes"), default=list)
    sensitivity_classes = models.JSONField(_("sensitivity classes"), default=list, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    starts_on = models.DateField(_("valid from"))
    ends_on = models.DateField(_("valid until"))
    signatory = models.CharField(_("signed by"), max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    # The day an agreement was ended early: it is not in force from that day on.
    # The signed period (starts_on, ends_on) is kept as it was agreed.
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "-created_at"]

    def __str__(self) -> str:
        return str(self.pk)

    @property
    def recipient(self) -> str:
        return str(self.to_organisation) if self.to_organisation_id else self.recipient_name


class FileClosure(models.Model):
    """A person's file is closed (they left the site, were resettled, died, or
    asked for their data to be erased): the retention period starts here."""

    class Reason(models.TextChoices):
        DEPARTED = "departed", _("Left the site")
        RESETTLED = "resettled", _("Resettled or returned")
        DECEASED = "deceased", _("Deceased")
        ERASURE = "erasure", _("Asked for their data to be erased")

    person = models.OneToOneField(
        "registry.Person", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    closed_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )


class RetentionRun(models.Model):
    """What one run of the retention job deleted: counts per record type and the
    ids of the records (no personal data)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ran_at = models.DateTimeField()
    counts = models.JSONField(default=dict)
    deleted_ids = models.JSONField(default=dict)

    class Meta:
        ordering = ["-ran_at"]
