"""Presence checks (roll calls and distributions), who was seen at them,
household cards whose QR code names the card only, and the absence alerts
that people not seen raise (salama.lib.absence holds the rules).

Presence sits below tracing: nothing here imports salama.tracing; a tracing
case sets AbsenceAlert.case_reference through actions.absence_alert_mark_reported."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedTextField
from salama.lib import absence


class PresenceCheck(models.Model):
    class Kind(models.TextChoices):
        ROLL_CALL = "roll_call", _("Roll call")
        DISTRIBUTION = "distribution", _("Distribution")

    class Status(models.TextChoices):
        OPEN = "open", _("Recording")
        CLOSED = "closed", _("Finished")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, verbose_name=_("location"))
    # Copy of site.path: the check covers everyone registered at or below it.
    site_path = models.CharField(max_length=255, db_index=True, editable=False)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    held_at = models.DateTimeField(_("held at"), db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Counted when the check is finished.
    covered = models.PositiveIntegerField(default=0)
    seen = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_at:%Y-%m-%d %H:%M}"  # type: ignore[attr-defined]


class Sighting(models.Model):
    """One person seen at one check."""

    class Method(models.TextChoices):
        SCAN = "scan", _("Card scanned")
        SEARCH = "search", _("Found by search")
        IMPORT = "import", _("Distribution list")
        API = "api", _("API")

    presence_check = models.ForeignKey(
        PresenceCheck, on_delete=models.CASCADE, related_name="sightings"
    )
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=10, choices=Method.choices)
    at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["presence_check", "person"], name="one_sighting_per_check"
            )
        ]


class PresenceStatus(models.Model):
    """Where each person stands, so that the rules read one row per person
    instead of every sighting: the time of the last check they were seen at,
    how many finished checks covering them missed them since, and when an
    officer last cleared them (confirmed safe, dismissed or reported)."""

    person = models.OneToOneField(
        "registry.Person", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    last_seen_at = models.DateTimeField(null=True, blank=True)
    missed_checks = models.PositiveIntegerField(default=0)
    last_missed_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)


class HouseholdCard(models.Model):
    """A printed card whose QR code holds only `code`: random, unguessable,
    meaningless without the database, never a name or a registration number."""

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=40, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(revoked=False),
                name="one_valid_card_per_household",
            )
        ]


class AbsenceAlert(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SAFE = "safe", _("Confirmed safe")
        DISMISSED = "dismissed", _("Dismissed")
        REPORTED = "reported", _("Missing report opened")

    class Rule(models.TextChoices):
        CHECKS = absence.CHECKS_RULE, _("Missed consecutive checks")
        DAYS = absence.DAYS_RULE, _("Not seen for days")

    class Profile(models.TextChoices):
        CHILD = absence.CHILD, _("Child")
        UNACCOMPANIED_CHILD = absence.UNACCOMPANIED_CHILD, _("Unaccompanied or separated child")
        WOMAN_AT_RISK = absence.WOMAN_AT_RISK, _("Woman at risk")
        ADULT = absence.ADULT, _("Adult")

    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    site_path = models.CharField(max_length=255, db_index=True)
    rule = models.CharField(_("rule"), max_length=10, choices=Rule.choices)
    missed_checks = models.PositiveIntegerField(_("checks missed"), default=0)
    days_unseen = models.PositiveIntegerField(_("days not seen"), default=0)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    profile = models.CharField(_("profile"), max_length=20, choices=Profile.choices)
    raised_by_check = models.ForeignKey(
        PresenceCheck, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(db_index=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Encrypted: why an alert was dismissed can say where someone went and why.
    reason = EncryptedTextField(_("reason"), blank=True, default="")
    # Set by the tracing app when a missing report was opened from the alert.
    case_reference = models.CharField(_("tracing case"), max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(status="open"), name="one_open_absence_alert"
            )
        ]
