"""Complaints of sexual exploitation and abuse (SEA) by personnel.

A trust domain of its own: a complaint is read by the PSEA focal points of the
organisation that receives it and, once referred, by the investigation focal
points of the organisation investigating; by nobody named or linked as its
subject; by no administrator except through an audited break of the glass.
Narratives, identities and evidence are encrypted field by field. The receipt
code is stored only as a slow hash (salama/lib/complaints/receipt.py)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedJSONField, EncryptedTextField

USER = settings.AUTH_USER_MODEL


class Channel(models.TextChoices):
    ONLINE = "online", _("Public page")
    DESK = "desk", _("In person at a desk")
    HOTLINE = "hotline", _("Hotline")
    LETTER = "letter", _("Letter")
    BOX = "box", _("Complaint box")
    OUTREACH = "outreach", _("Outreach team")
    REFERRAL = "referral", _("Referred by another organisation")


class Relationship(models.TextChoices):
    SELF = "self", _("I am the survivor")
    RELATIVE = "relative", _("A relative or friend of the survivor")
    WITNESS = "witness", _("A witness")
    STAFF = "staff", _("A staff member or volunteer")
    OTHER = "other", _("Other")


class ContactPreference(models.TextChoices):
    NONE = "none", _("Do not contact me (I will use the receipt code)")
    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person, at a safe place")
    THROUGH_SOMEONE = "through_someone", _("Through someone I trust")


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Do not know")


class AgeGroup(models.TextChoices):
    CHILD = "child", _("A child (under 18)")
    ADULT = "adult", _("An adult")
    UNKNOWN = "unknown", _("Do not know")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Do not know")


class Category(models.TextChoices):
    EXPLOITATION = "sexual_exploitation", _("Sexual exploitation")
    ABUSE = "sexual_abuse", _("Sexual abuse")
    OTHER = "other", _("Other misconduct of a sexual nature")


class SubjectType(models.TextChoices):
    PEACEKEEPER_MILITARY = "peacekeeper_military", _("UN peacekeeper (military)")
    PEACEKEEPER_POLICE = "peacekeeper_police", _("UN peacekeeper (police)")
    UN_CIVILIAN = "un_civilian", _("UN civilian staff")
    NGO_STAFF = "ngo_staff", _("NGO or implementing-partner staff")
    VOLUNTEER = "volunteer", _("Volunteer or contractor")
    GOVERNMENT = "government", _("Government or security forces")
    ARMED_GROUP = "armed_group", _("Non-state armed group")
    OTHER = "other", _("Other or do not know")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged: a focal point is following it up")
    REFERRED = "referred", _("Referred for assistance or investigation")
    CLOSED = "closed", _("Closed")


class Investigation(models.TextChoices):
    """The UN's published status of an allegation."""

    NONE = "", _("Not referred for investigation")
    ASSESSMENT = "under_assessment", _("Under assessment")
    INVESTIGATION = "under_investigation", _("Under investigation")
    SUBSTANTIATED = "substantiated", _("Substantiated")
    UNSUBSTANTIATED = "unsubstantiated", _("Unsubstantiated")
    CLOSED = "closed", _("Closed")


class Complaint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=16, unique=True)
    receipt_hash = models.CharField(max_length=64, unique=True)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    site_path = models.CharField(max_length=255, db_index=True)
    # Intake
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=10)
    # Complainant
    relationship = models.CharField(max_length=10, choices=Relationship.choices)
    contact_preference = models.CharField(max_length=16, choices=ContactPreference.choices)
    contact = EncryptedTextField(blank=True)
    consent_assistance = models.CharField(max_length=8, choices=YesNo.choices)
    consent_identity = models.CharField(max_length=8, choices=YesNo.choices)
    complainant_name = EncryptedTextField(blank=True)
    # Survivor
    survivor_age = models.CharField(max_length=8, choices=AgeGroup.choices)
    survivor_sex = models.CharField(max_length=8, choices=Sex.choices)
    survivor_disability = models.CharField(max_length=8, choices=YesNo.choices)
    safety_risk = models.CharField(max_length=8, choices=YesNo.choices)
    # Incident
    category = models.CharField(max_length=20, choices=Category.choices)
    incident_date = models.DateField(null=True, blank=True)
    incident_year = models.PositiveSmallIntegerField(null=True, blank=True)
    incident_place = EncryptedTextField(blank=True)
    narrative = EncryptedTextField()
    # Subject
    subject_organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_organisation_text = EncryptedTextField(blank=True)
    subject_type = models.CharField(max_length=24, choices=SubjectType.choices)
    subject_country = models.CharField(max_length=60, blank=True)
    subject_name = EncryptedTextField(blank=True)
    subject_in_contact = models.CharField(max_length=8, choices=YesNo.choices)
    # Handling
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.RECEIVED)
    flags = models.JSONField(default=list, blank=True)
    survivor_wishes = EncryptedTextField(blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    assistance_referred_at = models.DateTimeField(null=True, blank=True)
    investigation_organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    investigation_referred_at = models.DateTimeField(null=True, blank=True)
    investigation_status = models.CharField(
        max_length=20, choices=Investigation.choices, blank=True, default=""
    )
    investigation_outcome_at = models.DateTimeField(null=True, blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # A field device's submission, as a hash of user and instance ID: stored once.
    source_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # The deadlines already escalated, each once (jobs).
    escalated = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            # A device's or client's retry is stored once, even by two servers at once.
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~models.Q(source_key=""),
                name="complaint_source_once",
            )
        ]

    def __str__(self) -> str:
        return self.reference


class SubjectLink(models.Model):
    """A user named or linked as the subject: never sees the complaint."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="subjects")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    how = models.CharField(max_length=8)  # "named" (matched at intake) or "linked"
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["complaint", "user"], name="complaint_subject_once")
        ]


class Recusal(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="recusals")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    reason = EncryptedTextField()
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["complaint", "user"], name="complaint_recusal_once")
        ]


class BreakGlass(models.Model):
    """An administrator's emergency read, for a few hours, with its reason."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    reason = EncryptedTextField()
    at = models.DateTimeField()
    until = models.DateTimeField()


class Feedback(models.Model):
    """What the focal point tells the complainant: read through the receipt code."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="feedback")
    text = EncryptedTextField()
    at = models.DateTimeField()
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at"]


class Addition(models.Model):
    """What the complainant adds later through the receipt code."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="additions")
    text = EncryptedTextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["at"]


class Evidence(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="evidence")
    number = models.PositiveIntegerField()
    name = EncryptedTextField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    data = EncryptedTextField()  # base64
    source = models.CharField(max_length=12)  # complainant / staff
    added_at = models.DateTimeField()
    added_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "number"], name="evidence_number_once")
        ]


class Custody(models.Model):
    """One link of the chain of custody (salama/lib/complaints/chain.py):
    `content` is what is hashed (no personal data: kinds, times, user ids and
    the SHA-256 of files and notes); the note itself is encrypted."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="custody")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=30)
    at = models.DateTimeField()
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    # A file is never deleted alone; with its complaint, past retention, only.
    evidence = models.ForeignKey(
        Evidence, null=True, blank=True, on_delete=models.RESTRICT, related_name="+"
    )
    note = EncryptedTextField(blank=True)
    content = models.JSONField()
    key_id = models.CharField(max_length=12)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "seq"], name="custody_seq_once")
        ]


class AssistanceReferral(models.Model):
    """The assistance track: a referral to a service of the directory, led by
    the survivor's consent (or a child's best interests). The service reads
    only `shared`, never the complaint."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for the service")
        ACCEPTED = "accepted", _("Accepted: a case manager follows it")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Service delivered")

    class ConsentBy(models.TextChoices):
        SURVIVOR = "survivor", _("The survivor agreed")
        CAREGIVER = "caregiver", _("The child's caregiver agreed")
        BEST_INTERESTS = "best_interests", _("A child: referred in the child's best interests")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=16, unique=True)
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="assistance")
    service = models.ForeignKey("cases.Service", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    site_path = models.CharField(max_length=255, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    consent_by = models.CharField(max_length=16, choices=ConsentBy.choices)
    consent_language = models.CharField(max_length=10, blank=True)
    needs = models.JSONField(default=list)
    shared = EncryptedJSONField(default=dict)
    made_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    made_at = models.DateTimeField()
    case_manager = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = EncryptedTextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-made_at"]


class VettingCheck(models.Model):
    """Only that a staff member was checked through the inter-agency scheme,
    and when: never an outcome, never a list of people refused."""

    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    staff_name = EncryptedTextField()
    checked_on = models.DateField()
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-checked_on"]


class PublicHit(models.Model):
    """A counted use of the public pages (rate limits; a form stored once). A
    client is a keyed hash of its network, never its address."""

    kind = models.CharField(max_length=10)  # complaint / lookup / form
    key = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "key", "at"], name="complaint_hit_lookup")]
        constraints = [
            # A public form is stored once, even by two servers at once.
            models.UniqueConstraint(
                fields=["key"], condition=models.Q(kind="form"), name="complaint_form_once"
            )
        ]
