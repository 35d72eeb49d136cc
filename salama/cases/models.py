"""Protection cases, the service directory and referrals with consent
(A/73/171 paras 65-66, 74(b), 76).

A case is case data of one organisation (PROTECTION.md 7). Another
organisation sees only a referral made to one of its services, with the
fields the person agreed to share, frozen at the time of referral; never the
case. Notes, plans, consent details, what was shared and everything about
alleged exploiters are encrypted at the field level (PROTECTION.md 25); the
plain columns are what lists, timers and figures need."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from salama.core.fields import EncryptedJSONField, EncryptedTextField


class ServiceType(models.TextChoices):
    """The report's relief-and-recovery services (paras 65-66, 76), legal aid,
    safe shelter, DDR reintegration and family tracing."""

    HEALTH = "health", _("Health care")
    SRH = "srh", _("Sexual and reproductive health")
    CLINICAL_RAPE = "clinical_rape", _("Clinical management of rape")
    PSYCHOSOCIAL = "psychosocial", _("Mental health and psychosocial support")
    SAFE_SHELTER = "safe_shelter", _("Safe shelter")
    FOOD = "food", _("Food and basic needs")
    CASH = "cash", _("Cash assistance")
    LIVELIHOODS = "livelihoods", _("Livelihoods")
    EDUCATION = "education", _("Education")
    LEGAL_AID = "legal_aid", _("Legal aid")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    DDR = "ddr", _("DDR reintegration")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    DOCUMENTATION = "documentation", _("Civil documentation")
    LAW_ENFORCEMENT = "law_enforcement", _("Police or other authorities")


class CaseType(models.TextChoices):
    TRAFFICKING = "trafficking", _("Trafficking in persons")
    GBV = "gbv", _("Gender-based violence")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    OTHER = "other", _("Other protection concern")


class Risk(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Service(models.Model):
    """One service of one organisation at one site, as the directory lists it.
    A service of the police or other authorities (LAW_ENFORCEMENT) is only
    ever reached by an explicit decision with its own consent."""

    class StaffGender(models.TextChoices):
        FEMALE = "female", _("Women")
        MALE = "male", _("Men")
        MIXED = "mixed", _("Women and men")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    site_path = models.CharField(max_length=255, db_index=True)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    service_type = models.CharField(_("type of service"), max_length=20, choices=ServiceType)
    languages = models.CharField(
        _("languages"), max_length=100, blank=True, help_text=_("For example: ar, fr, en")
    )
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        help_text=_("People it can take at once; empty if not limited."),
    )
    contact = models.CharField(
        _("contact"),
        max_length=200,
        blank=True,
        help_text=_("The service's own desk or phone, never a person's private number."),
    )
    accepts_children = models.BooleanField(_("accepts children"), default=False)
    staff_gender = models.CharField(
        _("staff"), max_length=10, choices=StaffGender, default=StaffGender.MIXED
    )
    # Hours the service has to accept or decline a referral before reminders.
    answer_within_hours = models.PositiveIntegerField(
        _("answers referrals within (hours)"), default=48
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["service_type", "name"]

    def __str__(self) -> str:
        return self.name


class PathwayStep(models.Model):
    """A referral pathway of a site: for a case type (and whether the person is
    a child), which services are called, in order."""

    site = models.ForeignKey("core.Site", on_delete=models.CASCADE, related_name="+")
    case_type = models.CharField(_("case type"), max_length=20, choices=CaseType)
    for_children = models.BooleanField(_("for children"), default=False)
    rank = models.PositiveSmallIntegerField(_("order"), default=1)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="pathway_steps")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["site", "case_type", "for_children", "rank"]


class ProtectionCase(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Source(models.TextChoices):
        SCREENING = "screening", _("Screening result")
        TRACING = "tracing", _("Tracing case")
        ABSENCE = "absence", _("Absence alert")
        CIVIL = "civil", _("Civil registration desk")
        DIRECT = "direct", _("Opened directly")

    class Closure(models.TextChoices):
        GOALS_MET = "goals_met", _("Case plan completed")
        REFERRED = "referred", _("Transferred to another organisation")
        DECLINED = "declined", _("The person no longer wants services")
        RELOCATED = "relocated", _("The person left the site")
        UNREACHABLE = "unreachable", _("The person could not be reached")
        DECEASED = "deceased", _("The person died")
        OTHER = "other", _("Other reason")

    class Bia(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        NOT_NEEDED = "not_needed", _("Not needed")

    class Caregiver(models.TextChoices):
        INVOLVED = "involved", _("Caregiver involved")
        NOT_INVOLVED = "not_involved", _("Caregiver not involved (not in the child's interest)")
        NONE = "none", _("No caregiver (unaccompanied or separated)")

    class ConsentBy(models.TextChoices):
        ADULT = "adult", _("The person's own consent")
        CHILD_CONSENT = "child_consent", _("Child's consent with caregiver (15-17)")
        CHILD_ASSENT = "child_assent", _("Child's assent and caregiver's consent (6-14)")
        CAREGIVER = "caregiver", _("Caregiver's consent (under 6)")
        BID = "bid", _("Best-interests determination (no suitable caregiver)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("case"), max_length=20, unique=True)
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey("core.Site", on_delete=models.PROTECT, related_name="+")
    site_path = models.CharField(max_length=255, db_index=True)
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    case_type = models.CharField(_("case type"), max_length=20, choices=CaseType)
    risk = models.CharField(_("risk level"), max_length=10, choices=Risk, default=Risk.MEDIUM)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    source_kind = models.CharField(_("opened from"), max_length=10, choices=Source)
    source_id = models.CharField(max_length=40, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("caseworker"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("supervisor"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(db_index=True)
    # Fixed at opening, for figures and the child path.
    sex = models.CharField(max_length=1, blank=True)
    age_group = models.CharField(max_length=10, blank=True)
    is_child = models.BooleanField(default=False)
    # Specific-needs codes the finding proposes (SV-FM, CR-CS for a stopped
    # marriage), for the caseworker to confirm on the person: encrypted.
    proposed_needs = EncryptedJSONField(default=list, blank=True)
    # Children: best-interests assessment and determination, caregiver, consent.
    bia_status = models.CharField(
        _("best-interests assessment"), max_length=15, choices=Bia, default=Bia.NOT_STARTED
    )
    bia_notes = EncryptedTextField(blank=True, default="")
    bid_required = models.BooleanField(_("best-interests determination needed"), default=False)
    bid_decision = EncryptedTextField(blank=True, default="")
    bid_decided_at = models.DateTimeField(null=True, blank=True)
    caregiver = models.CharField(
        _("caregiver involvement"), max_length=15, choices=Caregiver, blank=True
    )
    consent_by = models.CharField(_("consent given by"), max_length=15, choices=ConsentBy)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(
        _("reason for closing"), max_length=15, choices=Closure, blank=True
    )

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return self.reference


class CaseEvent(models.Model):
    """The case's journal: what was done, by whom, when. Notes are encrypted."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Case opened")
        NOTE = "note", _("Note")
        ASSIGNED = "assigned", _("Caseworker assigned")
        REVIEWED = "reviewed", _("Reviewed by the supervisor")
        RISK = "risk", _("Risk level changed")
        CHILD = "child", _("Child's assessment updated")
        PLAN = "plan", _("Case plan changed")
        REFERRAL = "referral", _("Referral")
        OVERRIDE = "override", _("Referred without consent (override)")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
        SERVICE = "service", _("Service delivered")
        ELIGIBILITY = "eligibility", _("Eligibility recorded")
        EXPLOITER = "exploiter", _("Alleged exploiter recorded")
        CLOSED = "closed", _("Case closed")
        REOPENED = "reopened", _("Case reopened")

    case = models.ForeignKey(ProtectionCase, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering = ["at", "pk"]


class PlanItem(models.Model):
    """One objective and its actions in the case plan, or a follow-up; typed
    as HTCDS support plans (spl_Type) where they fit."""

    class PlanType(models.TextChoices):
        HEALTH = "health", _("Health")
        SOCIAL_CARE = "social_care", _("Social care")
        LEGAL = "legal", _("Legal")
        EDUCATION = "education", _("Education")
        LIVELIHOOD = "livelihood", _("Livelihood")
        FINANCIAL = "financial", _("Financial")
        SAFETY = "safety", _("Safety")
        REHABILITATION = "rehabilitation", _("Recovery from exploitation")
        FOLLOW_UP = "follow_up", _("Follow-up")

    class Status(models.TextChoices):
        OPEN = "open", _("To do")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(ProtectionCase, on_delete=models.CASCADE, related_name="plan")
    plan_type = models.CharField(_("type"), max_length=20, choices=PlanType)
    objective = EncryptedTextField(_("objective"))
    actions = EncryptedTextField(_("actions"), blank=True, default="")
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    done_on = models.DateField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["status", "due_on", "pk"]


class Referral(models.Model):
    """A referral of a case to a service, with the consent it was made under.
    `shared` is all the receiving organisation ever reads: the fields the
    person agreed to share, copied at the time of referral."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        COMPLETED = "completed", _("Service delivered")
        WITHDRAWN = "withdrawn", _("Consent withdrawn")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("referral"), max_length=20, unique=True)
    case = models.ForeignKey(ProtectionCase, on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    from_organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    to_organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    site_path = models.CharField(max_length=255, db_index=True)
    service_type = models.CharField(max_length=20, choices=ServiceType)
    case_type = models.CharField(max_length=20, choices=CaseType)
    agreement = models.ForeignKey(
        "privacy.SharingAgreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    # Consent: given (with who explained it, in which language, what may be
    # shared) or an override with its reason. Exactly one of the two.
    consent_given = models.BooleanField(default=False)
    consent_explained_by = EncryptedTextField(blank=True, default="")
    consent_language = models.CharField(max_length=10, blank=True)
    consent_fields = models.JSONField(default=list, blank=True)
    override_reason = EncryptedTextField(blank=True, default="")
    # A referral to the police or other authorities: its own decision, with
    # the person's consent or a recorded legal obligation.
    authority_decision = models.BooleanField(default=False)
    legal_obligation = EncryptedTextField(blank=True, default="")
    reason = EncryptedTextField(_("reason for referral"), blank=True, default="")
    shared = EncryptedJSONField(default=dict)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    made_at = models.DateTimeField(db_index=True)
    answer_due = models.DateTimeField()
    reminders = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_note = EncryptedTextField(blank=True, default="")
    completed_at = models.DateTimeField(null=True, blank=True)
    outcome = EncryptedTextField(blank=True, default="")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Counted in the figures: only referrals made with consent.
    sex = models.CharField(max_length=1, blank=True)
    age_group = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["-made_at"]
        indexes = [models.Index(fields=["to_organisation", "status"])]

    def __str__(self) -> str:
        return self.reference


class ServiceDelivery(models.Model):
    """A service delivered to the person: their relief-and-recovery record."""

    class Outcome(models.TextChoices):
        DONE = "done", _("Delivered")
        ONGOING = "ongoing", _("Ongoing")
        PARTIAL = "partial", _("Partly delivered")
        NOT_TAKEN = "not_taken", _("Offered, not taken up")

    case = models.ForeignKey(ProtectionCase, on_delete=models.CASCADE, related_name="services")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    service_type = models.CharField(_("type of service"), max_length=20, choices=ServiceType)
    provider = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("provider")
    )
    delivered_on = models.DateField(_("date"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome, default=Outcome.DONE)
    note = EncryptedTextField(_("note"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-delivered_on", "-pk"]


class Eligibility(models.Model):
    """An eligibility flag with its evidence (paras 65-66, 76)."""

    class Programme(models.TextChoices):
        REPARATIONS = "reparations", _("Reparations programme")
        TERRORISM = "terrorism", _("Victim of terrorism")
        DDR = "ddr", _("DDR reintegration")

    class Status(models.TextChoices):
        ASSESSING = "assessing", _("Being assessed")
        ELIGIBLE = "eligible", _("Eligible")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible")
        APPLIED = "applied", _("Applied")

    case = models.ForeignKey(ProtectionCase, on_delete=models.CASCADE, related_name="eligibility")
    programme = models.CharField(_("programme"), max_length=15, choices=Programme)
    status = models.CharField(_("status"), max_length=15, choices=Status)
    evidence = EncryptedTextField(_("evidence"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "programme"], name="one_flag_per_programme")
        ]


class AllegedExploiter(models.Model):
    """An alleged exploiter or recruiter named in a case (para 41): never the
    victim. Everything is encrypted; the digests let cases that share a phone
    or a vehicle be linked without decrypting them."""

    class Part(models.TextChoices):
        EXPLOITER = "exploiter", _("Exploiter")
        RECRUITER = "recruiter", _("Recruiter")
        TRANSPORTER = "transporter", _("Transporter")
        OFFICIAL = "official", _("Complicit official")
        OTHER = "other", _("Other")

    case = models.ForeignKey(ProtectionCase, on_delete=models.CASCADE, related_name="exploiters")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    part = models.CharField(_("part played"), max_length=15, choices=Part)
    names = EncryptedJSONField(default=list)
    phones = EncryptedJSONField(default=list)
    vehicles = EncryptedJSONField(default=list)
    places = EncryptedJSONField(default=list)
    affiliation = EncryptedTextField(_("organisation, unit or mission"), blank=True, default="")
    description = EncryptedTextField(_("description"), blank=True, default="")
    # Keyed digests of normalised phones and plates (exact links).
    phone_keys = models.JSONField(default=list, blank=True)
    vehicle_keys = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()
