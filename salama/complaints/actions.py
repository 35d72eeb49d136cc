"""Every write on a complaint: one named, atomic, audited function each, and a
link of the chain of custody for each step (salama/lib/complaints/chain.py).

Nothing here sends a message to the complainant: they learn what the focal
point chose to tell them, through their receipt code."""

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.complaints import access
from salama.complaints.common import (
    ComplaintError,
    audit,
    clean_text,
    flag,
    forget_notifications,
    new_reference,
    require_focal_point,
    require_open,
    tell_coordinators,
    tell_focal_points,
)
from salama.complaints.custody import (
    EVIDENCE_MAX_BYTES,
    EVIDENCE_PER_COMPLAINT,
    custody_link,
    evidence_store,
)
from salama.complaints.models import (
    Addition,
    AgeGroup,
    BreakGlass,
    Category,
    Channel,
    Complaint,
    ContactPreference,
    Feedback,
    PublicHit,
    Recusal,
    Relationship,
    Sex,
    Status,
    SubjectLink,
    SubjectType,
    VettingCheck,
    YesNo,
)
from salama.complaints.tracks import (
    child_path,
)
from salama.core import access as core_access
from salama.core.models import Organisation, Site
from salama.core.roles import Perm
from salama.lib.complaints import receipt


@dataclass
class Intake:
    organisation: Organisation
    site: Site
    language: str
    relationship: str
    contact_preference: str
    consent_assistance: str
    consent_identity: str
    survivor_age: str
    survivor_sex: str
    survivor_disability: str
    safety_risk: str
    category: str
    narrative: str
    subject_type: str
    subject_in_contact: str
    contact: str = ""
    complainant_name: str = ""
    incident_date: date | None = None
    incident_year: int | None = None
    incident_place: str = ""
    subject_organisation: Organisation | None = None
    subject_organisation_text: str = ""
    subject_country: str = ""
    subject_name: str = ""
    files: list[tuple[str, str, bytes]] = field(default_factory=list)


@dataclass
class Received:
    complaint: Complaint
    code: str


CHOICES = {
    "relationship": Relationship,
    "contact_preference": ContactPreference,
    "consent_assistance": YesNo,
    "consent_identity": YesNo,
    "survivor_age": AgeGroup,
    "survivor_sex": Sex,
    "survivor_disability": YesNo,
    "safety_risk": YesNo,
    "category": Category,
    "subject_type": SubjectType,
    "subject_in_contact": YesNo,
}


LIMITS = {
    "narrative": 10000,
    "contact": 200,
    "complainant_name": 120,
    "incident_place": 200,
    "subject_organisation_text": 200,
    "subject_country": 60,
    "subject_name": 200,
}


def check_intake(intake: Intake, today: date) -> None:
    """Every fault at once, by field; nothing is written when one is found."""
    errors: dict[str, str] = {}
    for name, choices in CHOICES.items():
        if getattr(intake, name) not in choices.values:
            errors[name] = _("Choose one of the options.")
    for name, limit in LIMITS.items():
        value = getattr(intake, name)
        if len(value) > limit:
            errors[name] = _("At most %(n)d characters.") % {"n": limit}
    if len(intake.narrative.strip()) < 10:
        errors["narrative"] = _("Say in a few words what happened (at least 10 characters).")
    if intake.incident_date and intake.incident_date > today:
        errors["incident_date"] = _("The date cannot be in the future.")
    if intake.incident_year is not None and not 1990 <= intake.incident_year <= today.year:
        errors["incident_year"] = _("Give a year between 1990 and this year.")
    if intake.contact_preference == ContactPreference.PHONE and not intake.contact.strip():
        errors["contact"] = _("Give a phone number, or choose another way to be contacted.")
    if intake.site.level not in ("site", "zone", "block"):
        errors["site"] = _("Choose a camp or site.")
    if not access.focal_points_at(intake.organisation.pk, intake.site.path):
        errors["organisation"] = _(
            "This organisation has no PSEA focal point at this site: choose another."
        )
    if len(intake.files) > EVIDENCE_PER_COMPLAINT:
        errors["files"] = _("At most %(n)d files.") % {"n": EVIDENCE_PER_COMPLAINT}
    for name, _type, data in intake.files:
        if not data:
            errors["files"] = _("%(name)s is empty.") % {"name": name[:80]}
        if len(data) > EVIDENCE_MAX_BYTES:
            errors["files"] = _("%(name)s is larger than 10 MB.") % {"name": name[:80]}
    if errors:
        raise ComplaintError(_("Please correct the fields marked."), errors=errors)


def pepper() -> str:
    configured = settings.SALAMA_COMPLAINTS_RECEIPT_PEPPER
    return configured or salted_hmac("salama.complaints.receipt", "pepper").hexdigest()


def _names(value: str) -> str:
    """A name as compared when matching the subject to users: letters only,
    case and accents folded, spaces single."""
    text = unicodedata.normalize("NFKD", value).casefold()
    text = "".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c))
    return " ".join(text.split())


def _named_users(name: str) -> list[Any]:
    """Users whose username or full name is the subject's name as given."""
    wanted = _names(name)
    if len(wanted) < 3:
        return []
    found = []
    for user in get_user_model().objects.only("pk", "username", "first_name", "last_name"):
        full = _names(f"{user.first_name} {user.last_name}")
        if wanted in {_names(user.username), full} or (full and full in wanted.split(" - ")):
            found.append(user)
    return found


def _stored(
    intake: Intake, channel: str, received_by: Any, now: datetime, code: str, source_key: str
) -> Complaint:
    return Complaint.objects.create(
        reference=new_reference(Complaint, "SEA"),
        receipt_hash=receipt.digest(code, pepper()),
        organisation=intake.organisation,
        site=intake.site,
        site_path=intake.site.path,
        channel=channel,
        received_at=now,
        received_by=received_by,
        language=intake.language[:10],
        relationship=intake.relationship,
        contact_preference=intake.contact_preference,
        contact=intake.contact.strip(),
        complainant_name=intake.complainant_name.strip(),
        consent_assistance=intake.consent_assistance,
        consent_identity=intake.consent_identity,
        survivor_age=intake.survivor_age,
        survivor_sex=intake.survivor_sex,
        survivor_disability=intake.survivor_disability,
        safety_risk=intake.safety_risk,
        category=intake.category,
        incident_date=intake.incident_date,
        incident_year=intake.incident_date.year if intake.incident_date else intake.incident_year,
        incident_place=intake.incident_place.strip(),
        narrative=intake.narrative.strip(),
        subject_organisation=intake.subject_organisation,
        subject_organisation_text=intake.subject_organisation_text.strip(),
        subject_type=intake.subject_type,
        subject_country=intake.subject_country.strip(),
        subject_name=intake.subject_name.strip(),
        subject_in_contact=intake.subject_in_contact,
        source_key=source_key,
    )


@transaction.atomic
def complaint_receive(
    *,
    intake: Intake,
    channel: str,
    received_by: Any = None,
    now: datetime | None = None,
    source_key: str = "",
) -> Received:
    """Store a complaint from any channel and route it to the receiving
    organisation's focal points, never to its subjects. Returns the receipt
    code, which is shown once and kept only as a hash."""
    now = now or timezone.now()
    if channel not in Channel.values:
        raise ComplaintError(_("Unknown channel."), errors={"channel": _("Choose a channel.")})
    check_intake(intake, now.date())
    code = receipt.new_code()
    try:
        with transaction.atomic():
            complaint = _stored(intake, channel, received_by, now, code, source_key)
    except IntegrityError:
        if source_key and Complaint.objects.filter(source_key=source_key).exists():
            raise AlreadySent from None
        raise
    custody_link(complaint, "received", received_by, now, content={"channel": channel})
    for user in _named_users(intake.subject_name):
        SubjectLink.objects.create(complaint=complaint, user=user, how="named", at=now)
    for name, content_type, data in intake.files:
        evidence_store(complaint, name, content_type, data, "complainant", received_by, now)
    audit(received_by, "create", complaint.pk)
    if intake.survivor_age == AgeGroup.CHILD:
        child_path(complaint, received_by, now)
    elif intake.survivor_age == AgeGroup.UNKNOWN:
        flag(complaint, "possibly_child")  # the focal point finds out, and decides
    subject = gettext_lazy("A complaint of sexual exploitation or abuse was received")
    tell_focal_points(complaint, "complaints.received", subject, received_by)
    if intake.safety_risk == YesNo.YES:
        flag(complaint, "safety_risk")
    return Received(complaint=complaint, code=code)


@transaction.atomic
def complaint_acknowledge(*, user: Any, complaint: Complaint) -> Complaint:
    require_focal_point(user, complaint)
    complaint = access.complaint_for_update(complaint)
    require_open(complaint)
    if complaint.acknowledged_at is None:
        now = timezone.now()
        complaint.acknowledged_at = now
        if complaint.status == Status.RECEIVED:
            complaint.status = Status.ACKNOWLEDGED
        complaint.save(update_fields=["acknowledged_at", "status"])
        custody_link(complaint, "acknowledged", user, now)
        audit(user, "update", complaint.pk)
    return complaint


@transaction.atomic
def feedback_give(*, user: Any, complaint: Complaint, text: str) -> Feedback:
    """What the complainant reads with their code (nothing is sent to them)."""
    require_focal_point(user, complaint)
    text = clean_text(text, _("The feedback"), "text", minimum=5, maximum=2000)
    complaint = access.complaint_for_update(complaint)
    now = timezone.now()
    given = Feedback.objects.create(complaint=complaint, text=text, at=now, by=user)
    if complaint.feedback_at is None:
        complaint.feedback_at = now
        complaint.save(update_fields=["feedback_at"])
    custody_link(complaint, "feedback_given", user, now, note=text)
    audit(user, "update", complaint.pk)
    return given


@transaction.atomic
def subject_link(*, user: Any, complaint: Complaint, username: str) -> SubjectLink:
    """Link a user as the subject: from now on the complaint does not exist
    for them, and what they were told of it is taken back."""
    require_focal_point(user, complaint)
    subject = get_user_model().objects.filter(username=str(username).strip()).first()
    if subject is None:
        raise ComplaintError(
            _("No user with this username."), errors={"username": _("No user with this username.")}
        )
    if subject.pk == user.pk:
        raise ComplaintError(
            _("You cannot link yourself: recuse yourself instead."),
            errors={"username": _("Recuse yourself instead.")},
        )
    now = timezone.now()
    link, created = SubjectLink.objects.get_or_create(
        complaint=complaint, user=subject, defaults={"how": "linked", "at": now}
    )
    forget_notifications(subject, complaint)
    if created:
        custody_link(complaint, "subject_linked", user, now, content={"subject_user": subject.pk})
    audit(user, "update", complaint.pk)
    return link


@transaction.atomic
def recuse(*, user: Any, complaint: Complaint, reason: str) -> Recusal:
    """A recipient with a conflict steps aside; they no longer see it."""
    reason = clean_text(reason, _("The reason"), "reason", minimum=5, maximum=1000)
    if access.role_in(user, complaint) == "break_glass":
        raise ComplaintError(_("Only a recipient can recuse themselves."), code="not_allowed")
    complaint = access.complaint_for_update(complaint)
    now = timezone.now()
    recusal, _created = Recusal.objects.get_or_create(
        complaint=complaint, user=user, defaults={"reason": reason, "at": now}
    )
    forget_notifications(user, complaint)
    custody_link(complaint, "recused", user, now, note=reason)
    audit(user, "update", complaint.pk)
    if not access.focal_points(complaint):
        subject = gettext_lazy("A complaint has no focal point left to handle it")
        tell_coordinators(complaint, "complaints.unhandled", subject, user)
    investigating = complaint.investigation_organisation_id
    if investigating and not access.investigators(complaint, investigating):
        subject = gettext_lazy("Nobody is left to investigate a complaint: refer it again")
        tell_focal_points(complaint, "complaints.uninvestigated", subject, user)
    return recusal


@transaction.atomic
def identity_share(*, user: Any, complaint: Complaint, note: str) -> Complaint:
    """The focal point, as the identity's custodian, records that the
    complainant has since agreed to share who they are with the investigators
    (and how): from then on the investigators read it."""
    require_focal_point(user, complaint)
    note = clean_text(note, _("How the complainant agreed"), "note", minimum=10, maximum=1000)
    complaint = access.complaint_for_update(complaint)
    if complaint.consent_identity == YesNo.YES:
        raise ComplaintError(_("The complainant already agreed to this."), code="wrong_state")
    complaint.consent_identity = YesNo.YES
    complaint.save(update_fields=["consent_identity"])
    custody_link(complaint, "identity_shared", user, timezone.now(), note=note)
    audit(user, "update", complaint.pk)
    return complaint


@transaction.atomic
def complaint_close(*, user: Any, complaint: Complaint, note: str) -> Complaint:
    require_focal_point(user, complaint)
    note = clean_text(note, _("The reason"), "note", minimum=5, maximum=2000)
    complaint = access.complaint_for_update(complaint)
    require_open(complaint)
    now = timezone.now()
    complaint.status = Status.CLOSED
    complaint.closed_at = now
    complaint.save(update_fields=["status", "closed_at"])
    custody_link(complaint, "closed", user, now, note=note)
    audit(user, "update", complaint.pk)
    return complaint


@transaction.atomic
def complainant_adds(
    *, complaint: Complaint, text: str, files: list[tuple[str, str, bytes]]
) -> None:
    text = str(text or "").strip()
    if not text and not files:
        raise ComplaintError(
            _("Write something or attach a file."), errors={"text": _("Nothing to add.")}
        )
    if len(text) > 4000:
        raise ComplaintError(_("At most 4000 characters."), errors={"text": _("Too long.")})
    now = timezone.now()
    if text:
        Addition.objects.create(complaint=complaint, text=text, at=now)
        custody_link(complaint, "complainant_added", None, now, note=text)
    for name, content_type, data in files:
        evidence_store(complaint, name, content_type, data, "complainant", None, now)
    audit(None, "update", complaint.pk)
    subject = gettext_lazy("The complainant added information")
    tell_focal_points(complaint, "complaints.addition", subject)


class AlreadySent(Exception):
    """The same public form was sent before: it was stored once."""


@transaction.atomic
def public_complaint_take(*, intake: Intake, client: str, form_key: str) -> Received:
    """A complaint from the public page, counted for the rate limits and its
    form stored once (a unique key, so that two servers cannot both store it),
    in the same transaction as the complaint."""
    now = timezone.now()
    try:
        with transaction.atomic():
            PublicHit.objects.create(kind="form", key=form_key, at=now)
    except IntegrityError:
        raise AlreadySent from None
    received = complaint_receive(intake=intake, channel=Channel.ONLINE, now=now)
    PublicHit.objects.create(kind="complaint", key=client, at=now)
    return received


def public_hit(kind: str, client: str) -> None:
    PublicHit.objects.create(kind=kind, key=client, at=timezone.now())


def source_key(channel: str, user: Any, key: str) -> str:
    """A retry's mark: the hash of who sent it, by which channel, under which key."""
    return hashlib.sha256(f"{channel}:{user.pk}:{key}".encode()).hexdigest()


def receipt_lookup(code: str) -> Complaint | None:
    """The complaint a code opens; a code that is not 16 digits opens nothing,
    after the same work (timing tells nothing)."""
    digest = receipt.digest(code, pepper())
    return access.by_receipt(digest) if receipt.normal(code) else None


def break_glass(*, user: Any, reference: str, reason: str) -> BreakGlass:
    """An administrator's emergency read of one complaint, for a few hours:
    audited, a link of its chain, and its coordinators and focal points told."""
    if not core_access.has_perm(user, Perm.COMPLAINT_BREAK_GLASS):
        raise ComplaintError(_("Only administrators can break the glass."), code="not_allowed")
    reason = clean_text(reason, _("The reason"), "reason", minimum=20, maximum=1000)
    complaint = access.by_reference_for_glass(user, reference)
    if complaint is None:
        # A try with a wrong reference is recorded too: references are not to be probed.
        audit(user, "break_glass_refused", "unknown")
        raise ComplaintError(
            _("No complaint with this reference."),
            errors={"reference": _("No complaint with this reference.")},
        )
    with transaction.atomic():
        return _glass_broken(user, complaint, reason)


def _glass_broken(user: Any, complaint: Complaint, reason: str) -> BreakGlass:
    now = timezone.now()
    glass = BreakGlass.objects.create(
        complaint=complaint,
        user=user,
        reason=reason,
        at=now,
        until=now + timedelta(hours=settings.SALAMA_COMPLAINTS_BREAK_GLASS_HOURS),
    )
    custody_link(complaint, "break_glass", user, now, note=reason)
    audit(user, "break_glass", complaint.pk)
    subject = gettext_lazy("An administrator broke the glass on a complaint")
    tell_focal_points(complaint, "complaints.break_glass", subject, user)
    tell_coordinators(complaint, "complaints.break_glass", subject, user)
    return glass


@transaction.atomic
def vetting_record(
    *, user: Any, organisation: Organisation, staff_name: str, checked_on: date
) -> VettingCheck:
    """Only "checked through the inter-agency scheme on this date": no outcome."""
    staff_name = clean_text(staff_name, _("The staff member's name"), "staff_name", maximum=120)
    if checked_on > timezone.now().date():
        raise ComplaintError(
            _("The date cannot be in the future."), errors={"checked_on": _("In the future.")}
        )
    check = VettingCheck.objects.create(
        organisation=organisation,
        staff_name=staff_name,
        checked_on=checked_on,
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    audit(user, "create", check.pk, model="complaints.VettingCheck")
    return check
