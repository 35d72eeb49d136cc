"""Relief and recovery (issue 11 section 4; A/73/171 paras 65-66, 76): the
services delivered to a person form their relief-and-recovery record; their
eligibility for reparations, victim-of-terrorism status and DDR
reintegration is recorded with its evidence; follow-ups are reminded.

Writes take a case the caller fetched through `access.get_case(user, pk,
Perm.CASE_WORK)`; each is one transaction, audited under the purpose
"protection". Reminders leave Salama by email or webhook, so they carry the
case's reference and a link only (docs/notifications.md)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.audit.actions import audit_record
from salama.cases import access, access_recovery
from salama.cases.models import CaseEvent, Eligibility, PlanItem, ProtectionCase, ServiceDelivery
from salama.core.roles import Perm, Role
from salama.registry.households import site_path_ancestors

PURPOSE = access.PURPOSE
MAX_EVIDENCE = 4000
MAX_FOLLOW_UP = 1000
REMINDER_KIND = "cases.follow_up_due"
REMINDER_SUBJECT = gettext_lazy("A follow-up of a protection case is due")


class RecoveryError(ValueError):
    """A relief-and-recovery write that was refused; nothing was written."""


class EligibilityError(RecoveryError):
    pass


class FollowUpError(RecoveryError):
    pass


def _audit(user: Any, action: str, model: str, record_id: Any, changed: Any = ()) -> None:
    audit_record(
        user=user,
        action=action,
        purpose=PURPOSE,
        model=f"cases.{model}",
        record_id=record_id,
        changed_fields=changed,
    )


def _event(case: ProtectionCase, kind: str, user: Any, note: str) -> CaseEvent:
    return case.events.create(kind=kind, user=user, at=timezone.now(), note=note)


@transaction.atomic
def eligibility_record(
    *, user: Any, case: ProtectionCase, programme: str, status: str, evidence: str
) -> Eligibility:
    """Record the case's flag for one programme, or update it (one flag per
    programme). The evidence is required and kept encrypted; the case's
    journal says which programme and status, never the evidence."""
    if programme not in Eligibility.Programme.values:
        raise EligibilityError(_("Unknown programme."))
    if status not in Eligibility.Status.values:
        raise EligibilityError(_("Unknown eligibility status."))
    evidence = (evidence or "").strip()
    if not evidence:
        raise EligibilityError(_("Say what the eligibility rests on: the evidence is required."))
    if len(evidence) > MAX_EVIDENCE:
        raise EligibilityError(
            _("The evidence is too long (at most %(n)s characters).") % {"n": MAX_EVIDENCE}
        )
    case = access.case_for_update(case)
    now = timezone.now()
    flag = case.eligibility.filter(programme=programme).first()
    if flag is None:
        flag = case.eligibility.create(
            programme=programme,
            status=status,
            evidence=evidence,
            recorded_by=user,
            recorded_at=now,
        )
        _audit(user, "create", "Eligibility", flag.pk, ["programme", "status", "evidence"])
    else:
        changed = [
            name
            for name, value in (("status", status), ("evidence", evidence))
            if getattr(flag, name) != value
        ]
        flag.status, flag.evidence = status, evidence
        flag.recorded_by, flag.recorded_at = user, now
        flag.save(update_fields=["status", "evidence", "recorded_by", "recorded_at"])
        _audit(user, "update", "Eligibility", flag.pk, changed)
    _event(
        case,
        CaseEvent.Kind.ELIGIBILITY,
        user,
        f"{Eligibility.Programme(programme).label}: {Eligibility.Status(status).label}",
    )
    _audit(user, "update", "ProtectionCase", case.pk, ["eligibility"])
    return flag


@transaction.atomic
def follow_up_add(*, user: Any, case: ProtectionCase, due_on: date, note: str) -> PlanItem:
    """A follow-up of the case, due on a day: its assigned caseworker is
    reminded from that day until it is done."""
    if not isinstance(due_on, date) or isinstance(due_on, datetime):
        raise FollowUpError(_("Give the day the follow-up is due."))
    if due_on < timezone.localdate():
        raise FollowUpError(_("A follow-up cannot be due in the past."))
    note = (note or "").strip()
    if not note:
        raise FollowUpError(_("Say what the follow-up is."))
    if len(note) > MAX_FOLLOW_UP:
        raise FollowUpError(
            _("The follow-up is too long (at most %(n)s characters).") % {"n": MAX_FOLLOW_UP}
        )
    case = access.case_for_update(case)
    if case.status != ProtectionCase.Status.OPEN:
        raise FollowUpError(_("This case is closed: reopen it to plan a follow-up."))
    item = case.plan.create(
        plan_type=PlanItem.PlanType.FOLLOW_UP,
        objective=note,
        due_on=due_on,
        created_by=user,
        created_at=timezone.now(),
    )
    _audit(user, "create", "PlanItem", item.pk, ["plan_type", "objective", "due_on"])
    _event(
        case,
        CaseEvent.Kind.PLAN,
        user,
        _("Follow-up added, due on %(day)s.") % {"day": due_on.isoformat()},
    )
    return item


def _sees(user: Any, case: ProtectionCase) -> bool:
    return bool(
        user is not None
        and user.is_active
        and access.cases_for(user, Perm.CASE_VIEW).filter(pk=case.pk).exists()
    )


def _protection_officers(case: ProtectionCase) -> list[Any]:
    """Active protection officers of the case's organisation at its site or above."""
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__role=Role.PROTECTION_OFFICER,
            memberships__organisation_id=case.organisation_id,
            memberships__sites__path__in=site_path_ancestors(case.site_path),
        )
        .distinct()
        .order_by("pk")
    )


def reminder_recipients(case: ProtectionCase) -> list[Any]:
    """Who is reminded of a case's due follow-ups: its assigned caseworker;
    without one (or one who can no longer see the case), its supervisor; else
    the protection officers of its organisation at its site."""
    for one in (case.assigned_to, case.supervisor):
        if _sees(one, case):
            return [one]
    return _protection_officers(case)


def reminder_link(case: ProtectionCase) -> str:
    return reverse("cases_recovery", args=[case.pk])


@transaction.atomic
def follow_ups_remind(now: datetime | None = None) -> int:
    """Remind, once a day, of the open plan items (follow-ups and every other
    type) of open cases that are due today or overdue: one notification per
    case and recipient, with the case's reference and a link. Returns how many
    cases were reminded."""
    from salama.notifications.actions import notify

    today = timezone.localdate(now or timezone.now())
    due = access_recovery.plan_items_to_remind(today)
    by_case: dict[Any, list[PlanItem]] = defaultdict(list)
    cases: dict[Any, ProtectionCase] = {}
    for item in due:
        by_case[item.case_id].append(item)
        cases[item.case_id] = item.case
    reminded = 0
    for case_id, items in by_case.items():
        case = cases[case_id]
        recipients = reminder_recipients(case)
        if not recipients:
            continue
        notify(
            recipients=recipients,
            kind=REMINDER_KIND,
            subject=REMINDER_SUBJECT,
            reference=case.reference,
            link=reminder_link(case),
        )
        case.plan.filter(pk__in=[i.pk for i in items]).update(reminded_on=today)
        for item in items:
            _audit(None, "update", "PlanItem", item.pk, ["reminded_on"])
        reminded += 1
    return reminded


# Reads


@dataclass
class Flag:
    programme: str
    label: str
    flag: Eligibility | None


@dataclass
class RecoveryRecord:
    """A case's relief-and-recovery record: services delivered (newest first),
    one row per programme (recorded or not), the follow-ups (open first)."""

    services: list[ServiceDelivery]
    flags: list[Flag]
    follow_ups: list[PlanItem]
    due: list[PlanItem] = field(default_factory=list)

    @property
    def eligibility(self) -> list[Eligibility]:
        return [f.flag for f in self.flags if f.flag is not None]


def recovery_record(case: ProtectionCase, today: date | None = None) -> RecoveryRecord:
    """The record of a case fetched through access.get_case."""
    today = today or timezone.localdate()
    services = list(
        case.services.select_related("provider", "referral").order_by("-delivered_on", "-pk")
    )
    recorded = {e.programme: e for e in case.eligibility.select_related("recorded_by")}
    flags = [
        Flag(value, str(label), recorded.get(value))
        for value, label in Eligibility.Programme.choices
    ]
    follow_ups = sorted(
        case.plan.filter(plan_type=PlanItem.PlanType.FOLLOW_UP).order_by("due_on", "pk"),
        key=lambda item: item.status != PlanItem.Status.OPEN,
    )
    due = list(
        case.plan.filter(status=PlanItem.Status.OPEN, due_on__lte=today).order_by("due_on", "pk")
    )
    return RecoveryRecord(services, flags, follow_ups, due)
