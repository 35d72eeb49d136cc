"""The missing-persons desk (A/73/171 para 37): reports of missing and found
persons, the tracing case each opens, its candidates, and the log of what was
done. "Missing" and "found" are reports about a person, never attributes of a
registry record.

Case data belongs to the desk's organisation; no other reads it (PROTECTION.md
7). Who is described, the circumstances, the reporter and every note are
encrypted at the field level (PROTECTION.md 25); the plain columns are what
lists, timers and figures need (status, urgency, times, sex and age group)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedJSONField, EncryptedTextField

KINDS = [("missing", _("Missing person")), ("found", _("Found person"))]


class Desk(models.Model):
    """A site's missing-persons desk: the organisation that keeps it (and
    receives the public page's reports), where and when it is open, and which
    other sites' registries it searches besides its own."""

    site = models.OneToOneField("core.Site", on_delete=models.CASCADE, related_name="tracing_desk")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(
        _("where the desk is"),
        max_length=200,
        blank=True,
        help_text=_("As people would find it, for example: Block C, next to the clinic."),
    )
    hours = models.CharField(
        _("opening hours"),
        max_length=200,
        blank=True,
        help_text=_("For example: every day 08:00-17:00; reports on the public page at any time."),
    )
    # The same in Arabic and French, for the notice and the public pages
    # (empty: the text above is shown).
    place_ar = models.CharField(_("where the desk is, in Arabic"), max_length=200, blank=True)
    place_fr = models.CharField(_("where the desk is, in French"), max_length=200, blank=True)
    hours_ar = models.CharField(_("opening hours, in Arabic"), max_length=200, blank=True)
    hours_fr = models.CharField(_("opening hours, in French"), max_length=200, blank=True)
    searches = models.ManyToManyField(
        "core.Site",
        blank=True,
        related_name="+",
        verbose_name=_("also searches the registries of"),
    )
    public = models.BooleanField(
        _("listed on the public report page"),
        default=True,
    )

    class Meta:
        ordering = ["site__name"]

    def __str__(self) -> str:
        return self.site.code

    def place_in(self, language: str) -> str:
        return str(getattr(self, f"place_{language}", "") or self.place)

    def hours_in(self, language: str) -> str:
        return str(getattr(self, f"hours_{language}", "") or self.hours)


class DutyShift(models.Model):
    """A tracing officer on duty at a desk: new reports notify whoever is on
    duty (everyone of the desk's tracing officers when nobody is)."""

    desk = models.ForeignKey(Desk, on_delete=models.CASCADE, related_name="shifts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["desk", "ends_at"])]


class TracingCase(models.Model):
    class Status(models.TextChoices):
        INVESTIGATING = "investigating", _("Investigating")
        LOCATED = "located", _("Located")
        REUNIFIED = "reunified", _("Reunified")
        REFERRED = "referred", _("Referred")
        CLOSED = "closed", _("Closed")
        DECEASED = "deceased", _("Deceased")
        DETAINED = "detained", _("Detained")

    class Urgency(models.TextChoices):
        URGENT = "urgent", _("Urgent")
        HIGH = "high", _("High")
        NORMAL = "normal", _("Normal")
        LOW = "low", _("Low")

    class Disclosure(models.TextChoices):
        NOT_ASKED = "not_asked", _("Not asked yet")
        AGREED = "agreed", _("Agreed that the reporter is told")
        REFUSED = "refused", _("Does not want the reporter to be told")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("case"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    site_path = models.CharField(max_length=255, db_index=True)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.INVESTIGATING
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    urgent = models.BooleanField(_("urgent"), default=False, db_index=True)
    # Why it is urgent (child, unaccompanied, woman at risk, abduction): says
    # what the person is, so encrypted.
    urgency_reasons = EncryptedJSONField(default=list)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    opened_at = models.DateTimeField(_("opened"), db_index=True)
    first_action_due = models.DateTimeField(_("first action due"))
    first_action_at = models.DateTimeField(_("first action"), null=True, blank=True)
    # 0: none; 1: the protection officer was told; 2: the site manager too.
    escalation = models.PositiveSmallIntegerField(default=0)
    # The registry person the case is about, once confirmed (a found person
    # matched, a missing person located, or a report made from the registry).
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A located person decides what the reporter learns (an adult may choose
    # not to be found).
    disclosure = models.CharField(
        _("may the reporter be told"),
        max_length=10,
        choices=Disclosure.choices,
        default=Disclosure.NOT_ASKED,
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Fixed when the case opened, for the figures (PROTECTION.md 11: only
    # records whose legal basis allows statistics are counted).
    sex = models.CharField(max_length=1)
    age_group = models.CharField(max_length=10)
    counted = models.BooleanField(default=False)

    class Meta:
        ordering = ["-urgent", "-opened_at"]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.INVESTIGATING, self.Status.LOCATED}


class TracingReport(models.Model):
    """One report of a missing or a found person: what the reporter said."""

    class Channel(models.TextChoices):
        DESK = "desk", _("At the desk")
        PUBLIC = "public", _("Public report page")
        API = "api", _("API")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    # The reporter's PIN, hashed like a password: with the reference it opens
    # the report's status page and nothing else.
    pin_hash = models.CharField(max_length=200)
    pin_failures = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=KINDS)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    case = models.ForeignKey(TracingCase, on_delete=models.CASCADE, related_name="reports")
    site_path = models.CharField(max_length=255, db_index=True)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    # Names in either script, sex, birth date or stated age, description,
    # distinguishing marks.
    person = EncryptedJSONField()
    # Date, place, with whom.
    last_seen = EncryptedJSONField(default=dict)
    circumstances = EncryptedJSONField(default=list)
    circumstances_detail = EncryptedTextField(blank=True)
    # Name, relationship, contact.
    reporter = EncryptedJSONField(default=dict)
    # A report made from the registry (an absence alert, a desk search).
    registry_person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Another open report that is likely of the same person: linked, never refused.
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class ReportPhoto(models.Model):
    """A report's photo, encrypted (optional on every channel)."""

    report = models.OneToOneField(TracingReport, on_delete=models.CASCADE, related_name="photo")
    content_type = models.CharField(max_length=30)
    data = models.BinaryField()


class CaseCandidate(models.Model):
    """A registry person or another report that may be the one described,
    ranked by the matching engine with its explanation."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("To check")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Not this person")

    case = models.ForeignKey(TracingCase, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    report = models.ForeignKey(
        TracingReport, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    probability = models.FloatField()
    explanation = models.JSONField(default=list)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-probability", "pk"]


class CaseAction(models.Model):
    """One entry of a case's log: who did what, when."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        NOTE = "note", _("Note")
        CONTACT = "contact", _("Contacted someone")
        SEARCH = "search", _("Searched a place")
        SIGHTING = "sighting", _("Sighting")
        STATUS = "status", _("Status changed")
        CANDIDATE = "candidate", _("Candidate checked")
        ASSIGNED = "assigned", _("Assigned")
        ESCALATED = "escalated", _("Escalated: first action overdue")
        HANDOVER = "handover", _("Handed to authorities")
        DISCLOSURE = "disclosure", _("Located person's choice recorded")
        REPORTER_INFO = "reporter_info", _("Reporter added information")
        DUPLICATE = "duplicate", _("Linked to another report")

    case = models.ForeignKey(TracingCase, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = EncryptedTextField(blank=True)
    # Kind-specific facts (place and time of a sighting, the authority of a
    # handover and the considerations behind it, the new status).
    data = EncryptedJSONField(default=dict)

    class Meta:
        ordering = ["at", "pk"]


class PublicLimitHit(models.Model):
    """One counted use of the public pages, kept a few hours for their rate
    limits: a stored report or a failed status look-up of a client, or a
    report form sent (so that the same form is never stored twice).

    Several servers answer the public pages, so the counts live in the
    database, not in one process's cache. A client is never stored as its
    address: `key` is an HMAC of it under the secret key."""

    class Kind(models.TextChoices):
        REPORT = "report", _("Report stored")
        LOOKUP = "lookup", _("Status look-up failed")
        FORM = "form", _("Report form sent")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "at"], name="public_hit_lookup")]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(kind="form"),
                name="public_form_sent_once",
            )
        ]
