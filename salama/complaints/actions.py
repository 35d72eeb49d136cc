"""Every write on a complaint: one named, atomic, audited function each, and a
link of the chain of custody for each step (salama/lib/complaints/custody.py).

Nothing here sends a message to the complainant: they learn what the focal
point chose to tell them, through their receipt code."""

import base64
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.audit.actions import audit_keys, audit_record, newest_key_id
from salama.cases.access import services as directory
from salama.cases.actions import child_protection_service
from salama.cases.models import Service, ServiceType
from salama.complaints import access
from salama.complaints.models import (
    Addition,
    AgeGroup,
    AssistanceReferral,
    BreakGlass,
    Category,
    Channel,
    Complaint,
    ContactPreference,
    Custody,
    Evidence,
    Feedback,
    Investigation,
    Recusal,
    Relationship,
    Sex,
    Status,
    SubjectLink,
    SubjectType,
    VettingCheck,
    YesNo,
)
from salama.core.models import Organisation, Site
from salama.lib.complaints import custody, receipt
from salama.notifications.actions import notify

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_PER_COMPLAINT = 20
NEEDS = {
    "medical": gettext_lazy("Medical care"),
    "psychosocial": gettext_lazy("Psychosocial support"),
    "safety": gettext_lazy("Safety and shelter"),
    "legal": gettext_lazy("Legal aid"),
    "material": gettext_lazy("Material assistance"),
    "child_born_of_sea": gettext_lazy("Support for a child born of sexual exploitation or abuse"),
}
# Who investigates what: the kinds of organisation a complaint about each kind
# of personnel may be referred to (the mission's conduct and discipline team
# for peacekeepers; the employer for UN staff, NGO and partner staff).
INVESTIGATES = {
    SubjectType.PEACEKEEPER_MILITARY: {"un_mission"},
    SubjectType.PEACEKEEPER_POLICE: {"un_mission"},
    SubjectType.UN_CIVILIAN: {"un", "un_mission"},
    SubjectType.NGO_STAFF: {"ngo", "un", "camp_management"},
    SubjectType.VOLUNTEER: {"ngo", "un", "camp_management", "un_mission"},
    SubjectType.OTHER: {"ngo", "un", "camp_management", "un_mission"},
    # Government forces and armed groups: no investigation referral in Salama;
    # any report to authorities is the survivor's informed choice, made outside.
    SubjectType.GOVERNMENT: set(),
    SubjectType.ARMED_GROUP: set(),
}


class ComplaintError(ValueError):
    """Bad input or a step not allowed. `code` is what the API answers with,
    `errors` the fields at fault (nothing was written)."""

    def __init__(
        self, message: Any, *, code: str = "invalid", errors: dict[str, str] | None = None
    ) -> None:
        super().__init__(str(message))
        self.code = code
        self.errors = errors or {}


# ---- intake ----


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
        if len(data) > EVIDENCE_MAX_BYTES:
            errors["files"] = _("%(name)s is larger than 10 MB.") % {"name": name[:80]}
    if errors:
        raise ComplaintError(_("Please correct the fields marked."), errors=errors)


def _reference(model: Any, prefix: str) -> str:
    while True:
        reference = f"{prefix}-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))
        if not model.objects.filter(reference=reference).exists():
            return reference


def pepper() -> str:
    configured = settings.SALAMA_COMPLAINTS_RECEIPT_PEPPER
    return configured or salted_hmac("salama.complaints.receipt", "pepper").hexdigest()


def _link(complaint: Complaint) -> str:
    return reverse("complaint_detail", args=[complaint.pk])


def _tell_coordinators(complaint: Complaint, kind: str, subject: Any, actor: Any = None) -> None:
    """The network's coordinators read figures, never the complaint: their link
    is the figures page."""
    notify(
        recipients=access.coordinators(complaint),
        kind=kind,
        subject=subject,
        reference=complaint.reference,
        link=reverse("complaint_figures"),
        actor=actor,
    )


def _tell_focal_points_of(complaint: Complaint, kind: str, subject: Any, actor: Any = None) -> None:
    notify(
        recipients=access.focal_points(complaint),
        kind=kind,
        subject=subject,
        reference=complaint.reference,
        link=_link(complaint),
        actor=actor,
    )


def _audit(user: Any, action: str, pk: Any, model: str = access.MODEL) -> None:
    audit_record(user=user, action=action, purpose=access.PURPOSE, model=model, record_id=pk)


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
    complaint = Complaint.objects.create(
        reference=_reference(Complaint, "SEA"),
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
    _custody(complaint, "received", received_by, now, content={"channel": channel})
    for user in _named_users(intake.subject_name):
        SubjectLink.objects.create(complaint=complaint, user=user, how="named", at=now)
    for name, content_type, data in intake.files:
        _evidence_store(complaint, name, content_type, data, "complainant", received_by, now)
    _audit(received_by, "create", complaint.pk)
    if intake.survivor_age == AgeGroup.CHILD:
        _child_path(complaint, received_by, now)
    subject = gettext_lazy("A complaint of sexual exploitation or abuse was received")
    _tell_focal_points_of(complaint, "complaints.received", subject, received_by)
    if intake.safety_risk == YesNo.YES:
        _flag(complaint, "safety_risk")
    return Received(complaint=complaint, code=code)


def _flag(complaint: Complaint, flag: str) -> None:
    if flag not in complaint.flags:
        complaint.flags = [*complaint.flags, flag]
        complaint.save(update_fields=["flags"])


def _child_path(complaint: Complaint, actor: Any, now: datetime) -> None:
    """A child survivor always opens the child-protection path: a referral in
    the child's best interests to the site's child-protection service; with
    none, the coordinator is told to find one."""
    _flag(complaint, "child")
    service = child_protection_service(complaint.site_path)
    if service is not None and service.organisation_id == complaint.subject_organisation_id:
        # Never, without a person deciding, to the employer of the one complained about.
        service = next(
            (
                s
                for s in directory(site_path=complaint.site_path, service_type="child_protection")
                if s.organisation_id != complaint.subject_organisation_id
            ),
            None,
        )
        if service is None:
            _flag(complaint, "child_service_of_subject_organisation")
    if service is None:
        _flag(complaint, "no_child_protection_service")
        subject = gettext_lazy("A child survivor needs a child-protection service")
        _tell_focal_points_of(complaint, "complaints.child_unserved", subject, actor)
        _tell_coordinators(complaint, "complaints.child_unserved", subject, actor)
        return
    _assistance_create(
        complaint,
        service,
        consent_by=AssistanceReferral.ConsentBy.BEST_INTERESTS,
        language=complaint.language,
        needs=["psychosocial", "safety"],
        wishes="",
        share_contact=False,
        actor=actor,
        now=now,
    )


# ---- the chain of custody ----


def _custody(
    complaint: Complaint,
    kind: str,
    actor: Any,
    now: datetime,
    *,
    evidence: Evidence | None = None,
    note: str = "",
    content: dict[str, Any] | None = None,
) -> Custody:
    locked = Complaint.objects.select_for_update().only("pk").get(pk=complaint.pk)
    last = Custody.objects.filter(complaint=locked).order_by("-seq").first()
    seq = (last.seq if last else 0) + 1
    hashed = {
        "complaint": str(complaint.pk),
        "kind": kind,
        "at": now.isoformat(),
        "actor": actor.pk if actor is not None and getattr(actor, "pk", None) else None,
        "evidence": evidence.number if evidence else None,
        "sha256": evidence.sha256 if evidence else None,
        "note_sha256": custody.file_sha256(note.encode("utf-8")) if note else None,
        **(content or {}),
    }
    kid = newest_key_id()
    return Custody.objects.create(
        complaint=complaint,
        seq=seq,
        kind=kind,
        at=now,
        actor=actor if hashed["actor"] else None,
        evidence=evidence,
        note=note,
        content=hashed,
        key_id=kid,
        hash=custody.link_hash(
            audit_keys()[kid], last.hash if last else custody.GENESIS, seq, hashed
        ),
    )


@dataclass
class CustodyCheck:
    broken_at: int | None
    files_failed: list[int]

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.files_failed


def custody_verify(complaint: Complaint) -> CustodyCheck:
    """Is the chain whole, does every note and file still hash as recorded?"""
    keys = audit_keys()
    links = list(Custody.objects.filter(complaint=complaint).order_by("seq"))
    broken: int | None = None
    previous = custody.GENESIS
    for expected, link in enumerate(links, start=1):
        secret = keys.get(link.key_id)
        note_hash = custody.file_sha256(link.note.encode("utf-8")) if link.note else None
        if (
            secret is None
            or link.seq != expected
            or link.content.get("note_sha256") != note_hash
            or custody.link_hash(secret, previous, link.seq, link.content) != link.hash
        ):
            broken = link.seq
            break
        previous = link.hash
    failed = [
        item.number
        for item in complaint.evidence.all()
        if custody.file_sha256(evidence_bytes(item)) != item.sha256
        or not Custody.objects.filter(
            complaint=complaint, kind="evidence_added", content__sha256=item.sha256
        ).exists()
    ]
    return CustodyCheck(broken_at=broken, files_failed=failed)


# ---- evidence ----


def evidence_bytes(item: Evidence) -> bytes:
    return base64.b64decode(item.data)


def _evidence_store(
    complaint: Complaint,
    name: str,
    content_type: str,
    data: bytes,
    source: str,
    actor: Any,
    now: datetime,
) -> Evidence:
    if not data:
        raise ComplaintError(_("The file is empty."), errors={"file": _("The file is empty.")})
    if len(data) > EVIDENCE_MAX_BYTES:
        raise ComplaintError(
            _("The file is larger than 10 MB."), errors={"file": _("At most 10 MB.")}
        )
    count = complaint.evidence.count()
    if count >= EVIDENCE_PER_COMPLAINT:
        raise ComplaintError(
            _("This complaint already has %(n)d files.") % {"n": count},
            errors={"file": _("No more files can be added.")},
        )
    item = Evidence.objects.create(
        complaint=complaint,
        number=count + 1,
        name=(name or "file")[:200],
        content_type=(content_type or "application/octet-stream")[:100],
        size=len(data),
        sha256=custody.file_sha256(data),
        data=base64.b64encode(data).decode("ascii"),
        source=source,
        added_at=now,
        added_by=actor,
    )
    _custody(complaint, "evidence_added", actor, now, evidence=item)
    return item


@transaction.atomic
def evidence_add(
    *, user: Any, complaint: Complaint, name: str, content_type: str, data: bytes
) -> Evidence:
    _focal(user, complaint)
    item = _evidence_store(complaint, name, content_type, data, "staff", user, timezone.now())
    _audit(user, "update", complaint.pk)
    return item


@transaction.atomic
def evidence_opened(*, user: Any, complaint: Complaint, item: Evidence) -> bytes:
    """A file read by staff: a link of the chain records who and when."""
    _custody(complaint, "evidence_opened", user, timezone.now(), evidence=item)
    _audit(user, "read", item.pk, model="complaints.Evidence")
    return evidence_bytes(item)


@transaction.atomic
def evidence_check(*, user: Any, complaint: Complaint, data: bytes) -> list[Evidence]:
    """The evidence items of the complaint whose SHA-256 the given file has
    (none: it is not, or is no longer, the file received)."""
    digest = custody.file_sha256(data)
    matching = [item for item in complaint.evidence.all() if item.sha256 == digest]
    _custody(
        complaint,
        "evidence_checked",
        user,
        timezone.now(),
        content={"checked_sha256": digest, "matched": [m.number for m in matching]},
    )
    return matching


# ---- handling ----


def _focal(user: Any, complaint: Complaint) -> None:
    if access.role_in(user, complaint) != "focal_point":
        raise ComplaintError(
            _("Only the receiving organisation's focal points do this."), code="not_allowed"
        )


def _open(complaint: Complaint) -> None:
    if complaint.status == Status.CLOSED:
        raise ComplaintError(_("This complaint is closed."), code="closed")


def _text(value: Any, what: str, name: str, minimum: int = 1, maximum: int = 4000) -> str:
    text = str(value or "").strip()
    if len(text) < minimum:
        message = _("%(what)s is needed (at least %(n)d characters).") % {
            "what": what,
            "n": minimum,
        }
        raise ComplaintError(message, errors={name: message})
    if len(text) > maximum:
        message = _("%(what)s is too long (at most %(n)d characters).") % {
            "what": what,
            "n": maximum,
        }
        raise ComplaintError(message, errors={name: message})
    return text


@transaction.atomic
def complaint_acknowledge(*, user: Any, complaint: Complaint) -> Complaint:
    _focal(user, complaint)
    complaint = access.complaint_for_update(complaint)
    _open(complaint)
    if complaint.acknowledged_at is None:
        now = timezone.now()
        complaint.acknowledged_at = now
        if complaint.status == Status.RECEIVED:
            complaint.status = Status.ACKNOWLEDGED
        complaint.save(update_fields=["acknowledged_at", "status"])
        _custody(complaint, "acknowledged", user, now)
        _audit(user, "update", complaint.pk)
    return complaint


@transaction.atomic
def feedback_give(*, user: Any, complaint: Complaint, text: str) -> Feedback:
    """What the complainant reads with their code (nothing is sent to them)."""
    _focal(user, complaint)
    text = _text(text, _("The feedback"), "text", minimum=5, maximum=2000)
    complaint = access.complaint_for_update(complaint)
    now = timezone.now()
    given = Feedback.objects.create(complaint=complaint, text=text, at=now, by=user)
    if complaint.feedback_at is None:
        complaint.feedback_at = now
        complaint.save(update_fields=["feedback_at"])
    _custody(complaint, "feedback_given", user, now, note=text)
    _audit(user, "update", complaint.pk)
    return given


@transaction.atomic
def subject_link(*, user: Any, complaint: Complaint, username: str) -> SubjectLink:
    """Link a user as the subject: from now on the complaint does not exist
    for them, and what they were told of it is taken back."""
    _focal(user, complaint)
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
    link, _created = SubjectLink.objects.get_or_create(
        complaint=complaint, user=subject, defaults={"how": "linked", "at": now}
    )
    _forget_notifications(subject, complaint)
    _custody(complaint, "subject_linked", user, now, content={"subject_user": subject.pk})
    _audit(user, "update", complaint.pk)
    return link


def _forget_notifications(user: Any, complaint: Complaint) -> None:
    from salama.notifications.models import Notification

    Notification.objects.filter(recipient=user, reference=complaint.reference).delete()


@transaction.atomic
def recuse(*, user: Any, complaint: Complaint, reason: str) -> Recusal:
    """A recipient with a conflict steps aside; they no longer see it."""
    reason = _text(reason, _("The reason"), "reason", minimum=5, maximum=1000)
    if access.role_in(user, complaint) == "break_glass":
        raise ComplaintError(_("Only a recipient can recuse themselves."), code="not_allowed")
    now = timezone.now()
    recusal, _created = Recusal.objects.get_or_create(
        complaint=complaint, user=user, defaults={"reason": reason, "at": now}
    )
    _forget_notifications(user, complaint)
    _custody(complaint, "recused", user, now, note=reason)
    _audit(user, "update", complaint.pk)
    if not access.focal_points(complaint):
        subject = gettext_lazy("A complaint has no focal point left to handle it")
        _tell_coordinators(complaint, "complaints.unhandled", subject, user)
    return recusal


@transaction.atomic
def complaint_close(*, user: Any, complaint: Complaint, note: str) -> Complaint:
    _focal(user, complaint)
    note = _text(note, _("The reason"), "note", minimum=5, maximum=2000)
    complaint = access.complaint_for_update(complaint)
    _open(complaint)
    now = timezone.now()
    complaint.status = Status.CLOSED
    complaint.closed_at = now
    complaint.save(update_fields=["status", "closed_at"])
    _custody(complaint, "closed", user, now, note=note)
    _audit(user, "update", complaint.pk)
    return complaint


# ---- the assistance track ----


def _assistance_create(
    complaint: Complaint,
    service: Service,
    *,
    consent_by: str,
    language: str,
    needs: list[str],
    wishes: str,
    share_contact: bool,
    actor: Any,
    now: datetime,
) -> AssistanceReferral:
    shared = {
        "survivor_age": complaint.survivor_age,
        "survivor_sex": complaint.survivor_sex,
        "disability": complaint.survivor_disability,
        "safety_risk": complaint.safety_risk,
        "needs": needs,
        "wishes": wishes,
        "contact": complaint.contact if share_contact else "",
        "contact_preference": complaint.contact_preference if share_contact else "",
        "through": complaint.organisation.name,
    }
    referral = AssistanceReferral.objects.create(
        reference=_reference(AssistanceReferral, "AS"),
        complaint=complaint,
        service=service,
        organisation=service.organisation,
        site_path=complaint.site_path,
        consent_by=consent_by,
        consent_language=language[:10],
        needs=needs,
        shared=shared,
        made_by=actor,
        made_at=now,
    )
    if complaint.assistance_referred_at is None:
        complaint.assistance_referred_at = now
        if complaint.status in (Status.RECEIVED, Status.ACKNOWLEDGED):
            complaint.status = Status.REFERRED
        complaint.save(update_fields=["assistance_referred_at", "status"])
    _custody(
        complaint,
        "assistance_referred",
        actor,
        now,
        content={"service": str(service.pk), "consent_by": consent_by},
    )
    _audit(actor, "create", referral.pk, model="complaints.AssistanceReferral")
    receivers = access.assistance_receivers(referral)
    notify(
        recipients=receivers,
        kind="complaints.assistance_referral",
        subject=gettext_lazy("A referral for assistance is waiting for your service"),
        reference=referral.reference,
        link=reverse("assistance_detail", args=[referral.pk]),
        actor=actor,
    )
    return referral


@transaction.atomic
def assistance_refer(
    *,
    user: Any,
    complaint: Complaint,
    service: Service,
    consent_by: str,
    agreed: bool,
    language: str,
    needs: list[str],
    wishes: str = "",
    share_contact: bool = False,
    subject_organisation_chosen: bool = False,
) -> AssistanceReferral:
    """Refer the survivor to a service of the directory, as they agreed (a
    child in their best interests). The service reads only what is shared. A
    service of the organisation complained about only if the survivor knows
    it and chooses it."""
    _focal(user, complaint)
    complaint = access.complaint_for_update(complaint)
    _open(complaint)
    errors: dict[str, str] = {}
    if consent_by not in AssistanceReferral.ConsentBy.values:
        errors["consent_by"] = _("Say who agreed to the referral.")
    elif consent_by != AssistanceReferral.ConsentBy.SURVIVOR and (
        complaint.survivor_age != AgeGroup.CHILD
    ):
        errors["consent_by"] = _("An adult survivor decides: only their own consent refers them.")
    if consent_by != AssistanceReferral.ConsentBy.BEST_INTERESTS and not agreed:
        errors["agreed"] = _("Refer only once the survivor (or caregiver) has agreed.")
    if service.service_type == ServiceType.LAW_ENFORCEMENT:
        errors["service"] = _("Police and authorities are not an assistance service.")
    if not service.active:
        errors["service"] = _("This service is closed.")
    if (
        service.organisation_id == complaint.subject_organisation_id
        and not subject_organisation_chosen
    ):
        errors["subject_organisation_chosen"] = _(
            "This service belongs to the organisation of the person complained about. Refer "
            "there only if the survivor knows it and chooses it (tick the box)."
        )
    unknown = [n for n in needs if n not in NEEDS]
    if unknown or not needs:
        errors["needs"] = _("Choose at least one need from the list.")
    if len(wishes) > 2000:
        errors["wishes"] = _("At most 2000 characters.")
    if errors:
        raise ComplaintError(_("Please correct the fields marked."), errors=errors)
    now = timezone.now()
    if wishes.strip():
        complaint.survivor_wishes = wishes.strip()
        complaint.save(update_fields=["survivor_wishes"])
    return _assistance_create(
        complaint,
        service,
        consent_by=consent_by,
        language=language,
        needs=list(dict.fromkeys(needs)),
        wishes=wishes.strip(),
        share_contact=share_contact,
        actor=user,
        now=now,
    )


def _tell_focal_points(referral: AssistanceReferral, subject: Any, actor: Any) -> None:
    _tell_focal_points_of(referral.complaint, "complaints.assistance_answered", subject, actor)


@transaction.atomic
def assistance_answer(
    *, user: Any, referral: AssistanceReferral, accept: bool, note: str = ""
) -> AssistanceReferral:
    """The service accepts (the user becomes the case manager) or declines."""
    referral = access.assistance_for_update(referral)
    if referral.state != AssistanceReferral.State.WAITING:
        raise ComplaintError(_("This referral was already answered."), code="wrong_state")
    if not accept:
        note = _text(note, _("The reason"), "note", minimum=5, maximum=1000)
    now = timezone.now()
    referral.state = (
        AssistanceReferral.State.ACCEPTED if accept else AssistanceReferral.State.DECLINED
    )
    referral.case_manager = user if accept else None
    referral.answered_at = now
    referral.answer_note = note.strip()
    referral.save(update_fields=["state", "case_manager", "answered_at", "answer_note"])
    _custody(referral.complaint, f"assistance_{referral.state}", user, now)
    _audit(user, "update", referral.pk, model="complaints.AssistanceReferral")
    _tell_focal_points(
        referral,
        gettext_lazy("A service accepted the referral for assistance")
        if accept
        else gettext_lazy("A service declined the referral for assistance"),
        user,
    )
    return referral


@transaction.atomic
def assistance_complete(*, user: Any, referral: AssistanceReferral, note: str = "") -> None:
    referral = access.assistance_for_update(referral)
    if referral.state != AssistanceReferral.State.ACCEPTED:
        raise ComplaintError(_("Only an accepted referral can be completed."), code="wrong_state")
    now = timezone.now()
    referral.state = AssistanceReferral.State.COMPLETED
    referral.completed_at = now
    referral.answer_note = (referral.answer_note + "\n" + note.strip()).strip()[:2000]
    referral.save(update_fields=["state", "completed_at", "answer_note"])
    _custody(referral.complaint, "assistance_completed", user, now)
    _audit(user, "update", referral.pk, model="complaints.AssistanceReferral")
    _tell_focal_points(referral, gettext_lazy("A service delivered the assistance"), user)


# ---- the investigation track ----


def investigation_targets(complaint: Complaint) -> list[Organisation]:
    """Organisations this complaint may be referred to for investigation: of
    a kind that investigates its subject's kind of personnel, with an
    investigation focal point at the site; the subject's own first."""
    kinds = INVESTIGATES.get(SubjectType(complaint.subject_type), set())
    found = [
        org
        for org in Organisation.objects.filter(kind__in=kinds).order_by("name")
        if access.investigators(complaint, org.pk)
    ]
    found.sort(key=lambda org: org.pk != complaint.subject_organisation_id)
    return found


@transaction.atomic
def investigation_refer(
    *, user: Any, complaint: Complaint, organisation: Organisation
) -> Complaint:
    _focal(user, complaint)
    complaint = access.complaint_for_update(complaint)
    _open(complaint)
    if complaint.investigation_organisation_id:
        raise ComplaintError(
            _("This complaint was already referred for investigation."), code="wrong_state"
        )
    if organisation not in investigation_targets(complaint):
        raise ComplaintError(
            _(
                "This organisation does not investigate complaints about this kind of "
                "personnel here, or has no investigation focal point at the site."
            ),
            errors={"organisation": _("Choose an organisation from the list.")},
        )
    now = timezone.now()
    complaint.investigation_organisation = organisation
    complaint.investigation_referred_at = now
    complaint.investigation_status = Investigation.ASSESSMENT
    if complaint.status in (Status.RECEIVED, Status.ACKNOWLEDGED):
        complaint.status = Status.REFERRED
    complaint.save(
        update_fields=[
            "investigation_organisation",
            "investigation_referred_at",
            "investigation_status",
            "status",
        ]
    )
    _custody(complaint, "investigation_referred", user, now, content={"to": organisation.pk})
    _audit(user, "update", complaint.pk)
    notify(
        recipients=access.investigators(complaint, organisation.pk),
        kind="complaints.investigation",
        subject=gettext_lazy("A complaint was referred to you for investigation"),
        reference=complaint.reference,
        link=_link(complaint),
        actor=user,
    )
    return complaint


@transaction.atomic
def investigation_status_set(*, user: Any, complaint: Complaint, status: str) -> Complaint:
    """The investigating organisation's outcome, in the UN's published categories."""
    if access.role_in(user, complaint) != "investigator":
        raise ComplaintError(
            _("Only the investigating organisation's focal points do this."), code="not_allowed"
        )
    if status not in Investigation.values or not status:
        raise ComplaintError(
            _("Choose one of the published categories."),
            errors={"status": _("Choose one of the options.")},
        )
    complaint = access.complaint_for_update(complaint)
    now = timezone.now()
    complaint.investigation_status = status
    if status in (Investigation.SUBSTANTIATED, Investigation.UNSUBSTANTIATED, Investigation.CLOSED):
        complaint.investigation_outcome_at = now
    complaint.save(update_fields=["investigation_status", "investigation_outcome_at"])
    _custody(complaint, "investigation_status", user, now, content={"status": status})
    _audit(user, "update", complaint.pk)
    subject = gettext_lazy("The investigation of a complaint has a new status")
    _tell_focal_points_of(complaint, "complaints.investigation_status", subject, user)
    return complaint


# ---- the complainant, through the receipt code ----


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
        _custody(complaint, "complainant_added", None, now, note=text)
    for name, content_type, data in files:
        _evidence_store(complaint, name, content_type, data, "complainant", None, now)
    _audit(None, "update", complaint.pk)
    subject = gettext_lazy("The complainant added information")
    _tell_focal_points_of(complaint, "complaints.addition", subject)


class AlreadySent(Exception):
    """The same public form was sent before: it was stored once."""


@transaction.atomic
def public_complaint_take(*, intake: Intake, client: str, form_key: str) -> Received:
    """A complaint from the public page, counted for the rate limits and its
    form stored once, in the same transaction as the complaint."""
    from salama.complaints.models import PublicHit

    if PublicHit.objects.filter(kind="form", key=form_key).exists():
        raise AlreadySent
    now = timezone.now()
    received = complaint_receive(intake=intake, channel=Channel.ONLINE, now=now)
    PublicHit.objects.bulk_create(
        [
            PublicHit(kind="form", key=form_key, at=now),
            PublicHit(kind="complaint", key=client, at=now),
        ]
    )
    return received


def public_hit(kind: str, client: str) -> None:
    from salama.complaints.models import PublicHit

    PublicHit.objects.create(kind=kind, key=client, at=timezone.now())


def received_from(source_key: str) -> bool:
    return Complaint.objects.filter(source_key=source_key).exists()


def receipt_lookup(code: str) -> Complaint | None:
    return access.by_receipt(receipt.digest(code, pepper()))


# ---- breaking the glass ----


def break_glass(*, user: Any, reference: str, reason: str) -> BreakGlass:
    """An administrator's emergency read of one complaint, for a few hours:
    audited, a link of its chain, and its coordinators and focal points told."""
    from salama.core import access as core_access
    from salama.core.roles import Perm

    if not core_access.has_perm(user, Perm.COMPLAINT_BREAK_GLASS):
        raise ComplaintError(_("Only administrators can break the glass."), code="not_allowed")
    reason = _text(reason, _("The reason"), "reason", minimum=20, maximum=1000)
    complaint = access.by_reference_for_glass(user, reference)
    if complaint is None:
        # A try with a wrong reference is recorded too: references are not to be probed.
        _audit(user, "break_glass_refused", "unknown")
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
    _custody(complaint, "break_glass", user, now, note=reason)
    _audit(user, "break_glass", complaint.pk)
    subject = gettext_lazy("An administrator broke the glass on a complaint")
    _tell_focal_points_of(complaint, "complaints.break_glass", subject, user)
    _tell_coordinators(complaint, "complaints.break_glass", subject, user)
    return glass


# ---- vetting ----


@transaction.atomic
def vetting_record(
    *, user: Any, organisation: Organisation, staff_name: str, checked_on: date
) -> VettingCheck:
    """Only "checked through the inter-agency scheme on this date": no outcome."""
    staff_name = _text(staff_name, _("The staff member's name"), "staff_name", maximum=120)
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
    _audit(user, "create", check.pk, model="complaints.VettingCheck")
    return check


# ---- deadlines ----


def deadlines() -> dict[str, timedelta]:
    return {
        "acknowledgement": timedelta(hours=settings.SALAMA_COMPLAINTS_ACK_HOURS),
        "assistance": timedelta(hours=settings.SALAMA_COMPLAINTS_ASSISTANCE_HOURS),
        "investigation": timedelta(days=settings.SALAMA_COMPLAINTS_INVESTIGATION_DAYS),
        "feedback": timedelta(days=settings.SALAMA_COMPLAINTS_FEEDBACK_DAYS),
    }


def missed(complaint: Complaint, now: datetime) -> list[str]:
    """The steps whose deadline passed without them being done."""
    done = {
        "acknowledgement": complaint.acknowledged_at,
        "assistance": complaint.assistance_referred_at,
        "investigation": complaint.investigation_referred_at,
        "feedback": complaint.feedback_at,
    }
    late = []
    for step, delay in deadlines().items():
        if step == "assistance" and complaint.consent_assistance == YesNo.NO:
            continue
        if step == "investigation" and not INVESTIGATES.get(SubjectType(complaint.subject_type)):
            continue
        if done[step] is None and complaint.received_at + delay <= now:
            late.append(step)
    return late


ESCALATION_SUBJECTS = {
    "acknowledgement": gettext_lazy("A complaint was not acknowledged in time"),
    "assistance": gettext_lazy("A survivor was not referred for assistance in time"),
    "investigation": gettext_lazy("A complaint was not referred for investigation in time"),
    "feedback": gettext_lazy("A complainant has had no feedback in time"),
}


def complaint_escalations(now: datetime | None = None) -> dict[str, int]:
    """Each missed deadline once: the focal points and the coordinator told."""
    now = now or timezone.now()
    told = 0
    for complaint in Complaint.objects.exclude(status=Status.CLOSED).order_by("received_at"):
        told += _escalate(complaint.pk, now)
    return {"escalated": told}


@transaction.atomic
def _escalate(pk: Any, now: datetime) -> int:
    complaint = Complaint.objects.select_for_update().get(pk=pk)
    steps = [s for s in missed(complaint, now) if s not in complaint.escalated]
    for step in steps:
        _tell_focal_points_of(complaint, "complaints.deadline", ESCALATION_SUBJECTS[step])
        _tell_coordinators(complaint, "complaints.deadline", ESCALATION_SUBJECTS[step])
        _custody(complaint, "deadline_missed", None, now, content={"step": step})
    if steps:
        complaint.escalated = [*complaint.escalated, *steps]
        complaint.save(update_fields=["escalated"])
    return len(steps)


@transaction.atomic
def bundle_recorded(*, user: Any, complaint: Complaint) -> None:
    """The export of a sealed bundle is a link of the chain (it comes before
    the manifest, which lists it). Focal points and investigators export; a
    break of the glass only reads."""
    if access.role_in(user, complaint) == "break_glass":
        raise ComplaintError(
            _("Only focal points and investigators export evidence."), code="not_allowed"
        )
    _custody(complaint, "bundle_exported", user, timezone.now())
    _audit(user, "export", complaint.pk)
