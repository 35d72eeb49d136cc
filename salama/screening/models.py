"""Screenings of registered people, the alerts they raise, and the field
submissions (OpenRosa) they may come from. Answers, results, outcomes,
levels, fired indicators and suggested referrals are trafficking details:
encrypted at the field level (PROTECTION.md 25). The figures read counts made
at the time of screening (ScreeningCount, IndicatorCount), which hold no link
to any person or screening."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedJSONField, EncryptedTextField
from salama.screening import catalogue

LEVELS = [
    ("positive", _("Positive")),
    ("high", _("High risk")),
    ("medium", _("Medium risk")),
    ("low", _("Low risk")),
    ("negative", _("Negative")),
]
ALERT_LEVELS = ("positive", "high")


class Screening(models.Model):
    class Source(models.TextChoices):
        WEB = "web", _("Web form")
        FIELD = "field", _("Field collection (OpenRosa)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="screenings"
    )
    site_path = models.CharField(max_length=255, db_index=True)
    # Case data belongs to the organisation that made it; no other reads it
    # (PROTECTION.md 7), except later through a consented referral.
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    instrument = models.CharField(_("instrument"), max_length=60)
    instrument_version = models.CharField(max_length=30)
    profile = models.CharField(_("profile"), max_length=10)
    administered_with = models.CharField(max_length=20, blank=True)
    answers = EncryptedJSONField()
    result = EncryptedJSONField()
    outcome = EncryptedTextField()
    level = EncryptedTextField(_("result"), choices=LEVELS)
    # Fixed at the time of screening, as they were when it was counted.
    sex = models.CharField(max_length=1)
    age_group = models.CharField(max_length=10)
    legal_basis = models.CharField(max_length=30)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    screened_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-screened_at"]

    @property
    def instrument_title(self) -> str:
        """The instrument's title in the reader's language (its id if no longer shipped)."""
        instrument = catalogue.instruments().get(self.instrument)
        return instrument.title.get(get_language() or "en") if instrument else self.instrument


class FiredIndicator(models.Model):
    """One item answered yes in one screening. Encrypted: the figures count
    indicators in IndicatorCount, at the time of screening."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="indicators")
    item = EncryptedTextField()
    scope = EncryptedTextField()


class Alert(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")

    screening = models.OneToOneField(Screening, on_delete=models.CASCADE, related_name="alert")
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    site_path = models.CharField(max_length=255, db_index=True)
    # Case data belongs to the organisation that made it; no other reads it
    # (PROTECTION.md 7), except later through a consented referral.
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # Encrypted: alerts are listed by status and site only (plain columns); a
    # filter on the level would be applied in Python after scoping.
    level = EncryptedTextField(choices=LEVELS)
    referrals = EncryptedJSONField(default=list)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at"]


class ScreeningCount(models.Model):
    """How many people whose legal basis allows statistics (PROTECTION.md 11)
    were screened, by site, week, sex, age group, instrument and result:
    incremented in the transaction that records a screening, with no link to
    the person or the screening, so that the figures never read a record."""

    site_path = models.CharField(max_length=255, db_index=True)
    week = models.DateField()  # the Monday of the ISO week, in the site's time zone
    sex = models.CharField(max_length=1)
    age_group = models.CharField(max_length=10)
    instrument = models.CharField(max_length=60)
    level = models.CharField(max_length=10)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site_path", "week", "sex", "age_group", "instrument", "level"],
                name="one_screening_count_per_cell",
            )
        ]


class IndicatorCount(models.Model):
    """How many people whose legal basis allows statistics were screened with
    an indicator present (their own, not a family member's), by site, week,
    sex, age group and instrument; counted like ScreeningCount."""

    site_path = models.CharField(max_length=255, db_index=True)
    week = models.DateField()
    sex = models.CharField(max_length=1)
    age_group = models.CharField(max_length=10)
    instrument = models.CharField(max_length=60)
    indicator = models.CharField(max_length=60)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site_path", "week", "sex", "age_group", "instrument", "indicator"],
                name="one_indicator_count_per_cell",
            )
        ]


class Submission(models.Model):
    """One OpenRosa submission, kept as received; scored when it names a
    registered person, otherwise waiting in the review queue."""

    class Status(models.TextChoices):
        SCORED = "scored", _("Scored")
        REVIEW = "review", _("Waiting for review")
        STORED = "stored", _("Stored (case intake)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Unique per field user and organisation only: another user's device may
    # send the same instance ID, and must neither merge into this submission
    # nor learn that it exists.
    instance_id = models.CharField(max_length=100)
    form_id = models.CharField(max_length=60)
    form_version = models.CharField(max_length=30)
    xml = EncryptedTextField()
    xml_sha256 = models.CharField(max_length=64)
    site_path = models.CharField(max_length=255, db_index=True)
    # Case data belongs to the organisation that made it; no other reads it
    # (PROTECTION.md 7), except later through a consented referral.
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    registry_id = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    problem = models.CharField(max_length=300, blank=True)
    # Deleting a person (retention, PROTECTION.md 19) deletes what they submitted.
    person = models.ForeignKey(
        "registry.Person", null=True, on_delete=models.CASCADE, related_name="+"
    )
    screening = models.OneToOneField(
        Screening, null=True, on_delete=models.SET_NULL, related_name="submission"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "submitted_by", "instance_id"],
                name="one_instance_id_per_field_user",
            )
        ]


class Attachment(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["submission", "name"], name="one_attachment_per_name")
        ]


class FieldCredential(models.Model):
    """What HTTP Digest authentication needs for a field user: HA1 =
    MD5(username:realm:password). It is password-equivalent for this realm
    only, so it is set by the user separately from the login password and
    can be revoked without touching it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="field_credential"
    )
    ha1 = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)


class DigestNonce(models.Model):
    """A nonce issued in a Digest challenge. Kept in the database, not in one
    process's memory, so that every server process refuses an unknown or
    expired nonce and a replayed nonce count alike."""

    value = models.CharField(max_length=80, unique=True)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)


class DigestNonceUse(models.Model):
    """One nonce count (nc) a client used with a nonce: the unique pair is
    what refuses a captured Authorization header sent again."""

    nonce = models.ForeignKey(DigestNonce, on_delete=models.CASCADE, related_name="uses")
    count = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["nonce", "count"], name="one_use_per_nonce_count")
        ]


class FieldLoginFailure(models.Model):
    """One failed Digest sign-in of a field user name, in the database so that every
    server process counts the same failures (the lockout of salama.screening.openrosa)."""

    username = models.CharField(max_length=150)
    failed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["username", "failed_at"], name="field_failure_lookup")]
