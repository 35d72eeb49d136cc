"""Civil registration: births, stillbirths, marriages, divorces and deaths.

The lifecycle is OpenCRVS's: notified (a health facility's notice) → declared
(an informant at the desk) → validated (documents checked) → registered (a
number is made by the server) → archived; what else is true of a record is a
flag. Every step is a line of the append-only journal. Nothing costs a fee.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedJSONField, EncryptedTextField
from salama.core.models import Organisation, Site
from salama.registry.models import Person


class EventType(models.TextChoices):
    BIRTH = "birth", _("Birth")
    STILLBIRTH = "stillbirth", _("Stillbirth")
    MARRIAGE = "marriage", _("Marriage")
    DIVORCE = "divorce", _("Divorce")
    DEATH = "death", _("Death")


# The prefix of each type's registration number (BI-2026-000001).
NUMBER_PREFIX = {
    "birth": "BI",
    "stillbirth": "SB",
    "marriage": "MA",
    "divorce": "DV",
    "death": "DE",
}


class Status(models.TextChoices):
    NOTIFIED = "notified", _("Notified")
    DECLARED = "declared", _("Declared")
    VALIDATED = "validated", _("Validated")
    REGISTERED = "registered", _("Registered")
    ARCHIVED = "archived", _("Archived")


class Flag(models.TextChoices):
    LATE = "late_registration", _("Late registration: evidence to approve")
    DUPLICATE = "potential_duplicate", _("Potential duplicate")
    CORRECTION = "correction_requested", _("Correction requested")
    REVIEW = "protection_review", _("For protection review")
    STATE_PENDING = "state_certificate_pending", _("Waiting for the state's certificate")


class Officiant(models.TextChoices):
    RELIGIOUS_COURT = "religious_court", _("Religious court")
    CIVIL_AUTHORITY = "civil_authority", _("Civil registration authority")
    HEALTH_FACILITY = "health_facility", _("Health facility")
    OTHER = "other", _("Other")


class CivilEvent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The desk's tracking reference, from the first step; the registration
    # number comes only at registration, from the server.
    reference = models.CharField(_("tracking reference"), max_length=12, unique=True)
    number = models.CharField(
        _("registration number"), max_length=20, unique=True, null=True, blank=True
    )
    event_type = models.CharField(_("event"), max_length=10, choices=EventType)
    status = models.CharField(_("status"), max_length=10, choices=Status)
    flags = models.JSONField(default=list, blank=True)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    site_path = models.CharField(max_length=255, db_index=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    event_date = models.DateField(_("date of the event"))
    place = models.CharField(_("place"), max_length=200)
    officiant_kind = models.CharField(_("officiant"), max_length=20, choices=Officiant, blank=True)
    officiant_name = models.CharField(_("officiant's name"), max_length=200, blank=True)
    # Type-specific facts (the child's names, the causes of death...) and the
    # protection flags' explanations: encrypted, they describe people.
    details = EncryptedJSONField(default=dict, blank=True)
    review_flags = EncryptedJSONField(default=list, blank=True)
    late = models.BooleanField(_("late registration"), default=False)
    late_evidence = EncryptedTextField(_("evidence for a late registration"), blank=True)
    # A humanitarian desk refers the family to the authority and writes down
    # the number of the certificate the state issues.
    state_certificate_number = models.CharField(
        _("state certificate number"), max_length=60, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    registered_at = models.DateTimeField(null=True, blank=True)
    # When the office was last reminded of this record waiting (a job, daily).
    reminded_at = models.DateTimeField(null=True, blank=True)
    # The person a birth created in the registry.
    child = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["event_type", "status"])]

    def __str__(self) -> str:
        return self.number or self.reference


class Party(models.Model):
    class Role(models.TextChoices):
        CHILD = "child", _("Child")
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        SPOUSE = "spouse", _("Spouse")
        DECEASED = "deceased", _("Deceased")
        INFORMANT = "informant", _("Informant")
        WITNESS = "witness", _("Witness")

    event = models.ForeignKey(CivilEvent, on_delete=models.CASCADE, related_name="parties")
    role = models.CharField(_("role"), max_length=10, choices=Role)
    # A registry person, or (for witnesses and informants from outside the
    # camp) a name alone.
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="civil_parties"
    )
    name = EncryptedTextField(_("name"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]


class Action(models.Model):
    """The append-only journal of a record: every step, correction, print
    and revocation, with who and when. Never updated or deleted."""

    class Kind(models.TextChoices):
        NOTIFIED = "notified", _("Notified")
        DECLARED = "declared", _("Declared")
        VALIDATED = "validated", _("Validated")
        REGISTERED = "registered", _("Registered")
        ARCHIVED = "archived", _("Archived")
        FLAGGED = "flagged", _("Flag raised")
        FLAG_CLEARED = "flag_cleared", _("Flag cleared")
        CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
        CORRECTED = "corrected", _("Corrected")
        PRINTED = "printed", _("Printed")
        CERTIFIED = "certified", _("Certificate issued")
        REVOKED = "revoked", _("Certificate revoked")
        REFERRED = "referred", _("Referred to the authority")
        STATE_NUMBER = "state_number", _("State certificate recorded")
        REGISTRY = "registry", _("Registry updated")
        ATTACHED = "attached", _("Document attached")

    event = models.ForeignKey(CivilEvent, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(max_length=22, choices=Kind)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = EncryptedTextField(blank=True)
    # For a correction, each field's value before and after (encrypted: they
    # are names and dates).
    changes = EncryptedJSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]


class Certificate(models.Model):
    """A printed document with a serial: a certificate (the registrar is the
    state's office), a registration record (a humanitarian desk), or a
    notification (never a certificate). Serials are random, so that the public
    verification page cannot be walked through in order."""

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("Certificate")
        RECORD = "record", _("Registration record")
        NOTIFICATION = "notification", _("Notification")

    serial = models.CharField(_("serial"), max_length=20, unique=True)
    event = models.ForeignKey(CivilEvent, on_delete=models.PROTECT, related_name="certificates")
    kind = models.CharField(max_length=12, choices=Kind)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Exactly what is printed, so that the verification page shows it and
    # nothing more, and a reprint is the same document.
    printed = EncryptedJSONField(default=dict)
    statement = models.TextField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = EncryptedTextField(blank=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-issued_at"]


class Attachment(models.Model):
    """A scan or photo the declaration rests on (a hospital's birth notice, a
    court's decree, a clinic card for a late registration). Photos are
    re-encoded without their metadata; the content is encrypted."""

    class Kind(models.TextChoices):
        BIRTH_NOTICE = "birth_notice", _("Health facility's birth notice")
        COURT = "court", _("Court decision or decree")
        IDENTITY = "identity", _("Identity document")
        STATEMENT = "statement", _("Witness or midwife's statement")
        MEDICAL = "medical", _("Medical certificate of cause of death")
        OTHER = "other", _("Other document")

    event = models.ForeignKey(CivilEvent, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=15, choices=Kind)
    name = EncryptedTextField()
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = EncryptedTextField()  # base64 of the bytes
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at", "pk"]


class NumberSequence(models.Model):
    """The last registration number made per type and year. Numbers come only
    from here, under a row lock, and are never reused (a failed registration
    rolls the increment back with it)."""

    key = models.CharField(max_length=30, unique=True)
    last = models.PositiveIntegerField(default=0)


class StoppedMarriage(models.Model):
    """A marriage refused at the desk because a party could be a child:
    recorded minimally (no names), for the figures. The child-protection case
    it opened holds the rest."""

    at = models.DateTimeField()
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    site_path = models.CharField(max_length=255, db_index=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Per party: {"sex", "age_band", "code"} — codes of salama.lib.civil.marriage.
    parties = models.JSONField(default=list)
    reasons = models.JSONField(default=list)
    minimum_age = models.PositiveSmallIntegerField()
    court_authorisation_shown = models.BooleanField(default=False)
    presented_by = models.CharField(max_length=20, blank=True)
    case_id = models.UUIDField(null=True, blank=True)
    case_reference = models.CharField(max_length=12, blank=True)

    class Meta:
        ordering = ["-at"]


class Verification(models.Model):
    """One look-up on the public verification page: counted, no address kept."""

    at = models.DateTimeField()
    outcome = models.CharField(max_length=10)  # valid, revoked, unknown, limited
    # A keyed hash of the client's network, for the hourly limit.
    client = models.CharField(max_length=64, db_index=True)
    certificate = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
