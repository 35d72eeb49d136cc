"""Relief and recovery (issue 11 section 4) and the referral figures (section
7): eligibility flags with their evidence, follow-ups reminded once a day to
the right person with nothing personal in the message, figures that count
only consented referrals and hide small cells."""

import secrets
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from salama.audit.models import AuditEntry
from salama.cases import figures, recovery
from salama.cases.models import (
    CaseEvent,
    Eligibility,
    PlanItem,
    ProtectionCase,
    Referral,
    Service,
    ServiceDelivery,
)
from salama.jobs.handlers import resolve
from salama.jobs.schedule import SCHEDULE
from salama.notifications.channels import email_message
from salama.notifications.models import Notification
from tests.conftest import register, signed_in

EVIDENCE = "Name on the reparations list of 12 March, seen by the caseworker"
PLAN_TEXT = "Visit her at the shelter and check the medical follow-up"


def _code(prefix):
    return f"{prefix}-{secrets.token_hex(4).upper()}"


def make_case(world, *, organisation=None, block=None, assigned=None, supervisor=None, **extra):
    """A protection case created directly (the lead's opening action may not
    be on this branch)."""
    block = block or world.amc_block
    person = register(world, block).members.get()
    fields = {
        "reference": _code("PC"),
        "person": person,
        "site": block,
        "site_path": block.path,
        "organisation": organisation or world.ngo,
        "case_type": "trafficking",
        "source_kind": ProtectionCase.Source.DIRECT,
        "opened_at": datetime(2026, 1, 5, 9, tzinfo=UTC),
        "consent_by": ProtectionCase.ConsentBy.ADULT,
        "assigned_to": assigned,
        "supervisor": supervisor,
        "sex": "F",
        "age_group": "18-24",
    }
    fields.update(extra)
    return ProtectionCase.objects.create(**fields)


def make_service(world, service_type="health", site=None, organisation=None):
    site = site or world.amc
    return Service.objects.create(
        site=site,
        site_path=site.path,
        organisation=organisation or world.un,
        name=f"{service_type} at {site.code}",
        service_type=service_type,
    )


def make_referral(
    case,
    service,
    *,
    status=Referral.Status.PENDING,
    consent=True,
    made_at=None,
    withdrawn=False,
    served_after=None,
    outcome=ServiceDelivery.Outcome.DONE,
):
    made_at = made_at or datetime(2026, 3, 10, 9, tzinfo=UTC)
    answered = status in {"accepted", "declined", "completed"}
    referral = Referral.objects.create(
        reference=_code("RF"),
        case=case,
        service=service,
        from_organisation=case.organisation,
        to_organisation=service.organisation,
        site_path=service.site_path,
        service_type=service.service_type,
        case_type=case.case_type,
        status=status,
        consent_given=consent,
        override_reason="" if consent else "Imminent danger to her life",
        made_at=made_at,
        answer_due=made_at + timedelta(hours=48),
        answered_at=made_at + timedelta(hours=5) if answered else None,
        completed_at=made_at + timedelta(days=3) if status == "completed" else None,
        withdrawn_at=made_at + timedelta(days=1) if withdrawn else None,
        sex="F",
        age_group="18-24",
    )
    if served_after is not None:
        ServiceDelivery.objects.create(
            case=case,
            referral=referral,
            service_type=service.service_type,
            provider=service.organisation,
            delivered_on=made_at.date() + timedelta(days=served_after),
            outcome=outcome,
            recorded_at=made_at + timedelta(days=served_after),
        )
    return referral


@pytest.fixture
def case(world):
    return make_case(world, assigned=world.user("caseworker"))


# Eligibility


def test_an_eligibility_flag_is_one_per_programme_and_keeps_its_evidence(world, case):
    user = world.user("caseworker")
    first = recovery.eligibility_record(
        user=user, case=case, programme="reparations", status="assessing", evidence=EVIDENCE
    )
    again = recovery.eligibility_record(
        user=user, case=case, programme="reparations", status="eligible", evidence="Decision 4411"
    )
    recovery.eligibility_record(
        user=user, case=case, programme="ddr", status="not_eligible", evidence="Never enlisted"
    )
    assert again.pk == first.pk
    flags = {e.programme: e for e in Eligibility.objects.filter(case=case)}
    assert set(flags) == {"reparations", "ddr"}
    assert flags["reparations"].status == "eligible"
    assert flags["reparations"].evidence == "Decision 4411"
    events = list(CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ELIGIBILITY))
    assert len(events) == 3
    assert all(
        EVIDENCE not in e.note and "4411" not in e.note and "enlisted" not in e.note for e in events
    )
    assert "Reparations programme" in events[0].note
    audited = AuditEntry.objects.filter(model="cases.Eligibility", record_id=str(first.pk))
    assert list(audited.values_list("action", "purpose")) == [
        ("create", "protection"),
        ("update", "protection"),
    ]
    assert audited.last().changed_fields == ["evidence", "status"]
    record = recovery.recovery_record(case)
    assert [(f.programme, f.flag and f.flag.status) for f in record.flags] == [
        ("reparations", "eligible"),
        ("terrorism", None),
        ("ddr", "not_eligible"),
    ]


@pytest.mark.parametrize(
    "programme,status,evidence",
    [
        ("reparations", "eligible", ""),
        ("reparations", "eligible", "   \n "),
        ("reparations", "eligible", "x" * (recovery.MAX_EVIDENCE + 1)),
        ("pension", "eligible", EVIDENCE),
        ("terrorism", "maybe", EVIDENCE),
    ],
)
def test_a_refused_flag_writes_nothing(world, case, programme, status, evidence):
    before = AuditEntry.objects.count()
    with pytest.raises(recovery.EligibilityError) as refused:
        recovery.eligibility_record(
            user=world.user("caseworker"),
            case=case,
            programme=programme,
            status=status,
            evidence=evidence,
        )
    assert isinstance(refused.value, ValueError) and str(refused.value)
    assert not Eligibility.objects.exists()
    assert not CaseEvent.objects.filter(case=case).exists()
    assert AuditEntry.objects.count() == before


def test_an_update_that_is_refused_leaves_the_flag_as_it_was(world, case):
    user = world.user("caseworker")
    recovery.eligibility_record(
        user=user, case=case, programme="terrorism", status="applied", evidence=EVIDENCE
    )
    with pytest.raises(recovery.EligibilityError):
        recovery.eligibility_record(
            user=user, case=case, programme="terrorism", status="eligible", evidence=""
        )
    flag = Eligibility.objects.get(case=case)
    assert (flag.status, flag.evidence) == ("applied", EVIDENCE)
    assert CaseEvent.objects.filter(case=case).count() == 1


def test_the_page_records_a_flag_and_shows_it_with_its_evidence(world, case):
    client = signed_in(world.user("caseworker"))
    url = f"/cases/recovery/{case.pk}/"
    refused = client.post(
        url + "eligibility/", {"programme": "ddr", "status": "eligible", "evidence": ""}
    )
    assert refused.status_code == 422 and not Eligibility.objects.exists()
    response = client.post(
        url + "eligibility/", {"programme": "ddr", "status": "eligible", "evidence": EVIDENCE}
    )
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode()
    assert EVIDENCE in page and "DDR reintegration" in page


# Follow-ups and their reminders


def test_a_follow_up_is_a_plan_item_and_refuses_the_past_and_closed_cases(world, case):
    user = world.user("caseworker")
    with time_machine.travel(datetime(2026, 5, 1, 8, tzinfo=UTC), tick=False):
        item = recovery.follow_up_add(user=user, case=case, due_on=date(2026, 5, 3), note=PLAN_TEXT)
        assert (item.plan_type, item.objective, item.status) == ("follow_up", PLAN_TEXT, "open")
        for due_on, note in ((date(2026, 4, 30), PLAN_TEXT), (date(2026, 5, 4), "  ")):
            with pytest.raises(recovery.FollowUpError):
                recovery.follow_up_add(user=user, case=case, due_on=due_on, note=note)
        ProtectionCase.objects.filter(pk=case.pk).update(status="closed")
        with pytest.raises(recovery.FollowUpError):
            recovery.follow_up_add(user=user, case=case, due_on=date(2026, 5, 9), note="Call")
    assert PlanItem.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.PLAN).count() == 1
    assert PLAN_TEXT not in CaseEvent.objects.get(case=case).note


def test_a_due_follow_up_is_reminded_once_a_day_until_it_is_done(world, case):
    caseworker = world.user("caseworker")
    with time_machine.travel(datetime(2026, 5, 1, 5, tzinfo=UTC), tick=False) as clock:
        item = recovery.follow_up_add(
            user=caseworker, case=case, due_on=date(2026, 5, 3), note=PLAN_TEXT
        )
        clock.move_to(datetime(2026, 5, 2, 5, tzinfo=UTC))
        assert recovery.follow_ups_remind() == 0  # not due yet
        clock.move_to(datetime(2026, 5, 3, 5, tzinfo=UTC))
        assert recovery.follow_ups_remind() == 1
        clock.move_to(datetime(2026, 5, 3, 17, tzinfo=UTC))
        assert recovery.follow_ups_remind() == 0  # the same day: not again
        assert Notification.objects.count() == 1
        clock.move_to(datetime(2026, 5, 4, 5, tzinfo=UTC))
        assert recovery.follow_ups_remind() == 1  # overdue: reminded again the next day
        item.refresh_from_db()
        assert item.reminded_on == date(2026, 5, 4)
        PlanItem.objects.filter(pk=item.pk).update(status="done", done_on=date(2026, 5, 4))
        clock.move_to(datetime(2026, 5, 5, 5, tzinfo=UTC))
        assert recovery.follow_ups_remind() == 0
    notes = list(Notification.objects.all())
    assert {n.recipient for n in notes} == {caseworker} and len(notes) == 2
    assert AuditEntry.objects.filter(
        model="cases.PlanItem", action="update", changed_fields=["reminded_on"]
    ).exists()


def test_a_reminder_carries_the_reference_and_a_link_only(world, settings, case):
    settings.SALAMA_BASE_URL = "https://salama.example"
    PlanItem.objects.create(
        case=case,
        plan_type=PlanItem.PlanType.SAFETY,
        objective=PLAN_TEXT,
        due_on=date(2026, 5, 1),
        created_at=datetime(2026, 4, 1, tzinfo=UTC),
    )
    PlanItem.objects.create(
        case=case,
        plan_type=PlanItem.PlanType.FOLLOW_UP,
        objective="Second thing to check",
        due_on=date(2026, 4, 20),
        created_at=datetime(2026, 4, 1, tzinfo=UTC),
    )
    assert recovery.follow_ups_remind(datetime(2026, 5, 2, 5, tzinfo=UTC)) == 1
    (note,) = Notification.objects.all()  # one per case, however many items are due
    assert note.reference == case.reference
    assert note.link == f"/cases/recovery/{case.pk}/"
    subject, body = email_message(note)
    person = case.person
    for text in (note.subject, subject, body, note.link):
        for secret in (
            PLAN_TEXT,
            "Second thing",
            person.given_name_latin,
            person.family_name_latin,
            person.given_name,
            str(person.pk),
            person.registration_number,
        ):
            assert secret not in text
    assert PlanItem.objects.filter(reminded_on=date(2026, 5, 2)).count() == 2


def _due(case, day=date(2026, 5, 1)):
    return PlanItem.objects.create(
        case=case,
        plan_type=PlanItem.PlanType.FOLLOW_UP,
        objective=PLAN_TEXT,
        due_on=day,
        created_at=datetime(2026, 4, 1, tzinfo=UTC),
    )


def test_without_a_caseworker_the_supervisor_then_the_protection_officers_are_reminded(world):
    now = datetime(2026, 5, 2, 5, tzinfo=UTC)
    supervised = make_case(world, supervisor=world.user("protection"))
    _due(supervised)
    # assigned to a caseworker who cannot see the case (another camp)
    elsewhere = make_case(world, assigned=world.user("caseworker_hop"))
    _due(elsewhere)
    nobody = make_case(world)
    _due(nobody)
    assert recovery.follow_ups_remind(now) == 3
    told = {(n.reference, n.recipient.username) for n in Notification.objects.all()}
    assert told == {
        (supervised.reference, "protection"),
        (elsewhere.reference, "protection"),
        (nobody.reference, "protection"),
    }


def test_closed_cases_and_finished_items_are_not_reminded(world, case):
    closed = make_case(world, assigned=world.user("caseworker"), status="closed")
    _due(closed)
    done = _due(case)
    PlanItem.objects.filter(pk=done.pk).update(status="cancelled")
    _due(case, day=date(2026, 5, 9))  # not due yet
    PlanItem.objects.create(
        case=case,
        plan_type=PlanItem.PlanType.LEGAL,
        objective="No date",
        created_at=datetime(2026, 4, 1, tzinfo=UTC),
    )
    assert recovery.follow_ups_remind(datetime(2026, 5, 2, 5, tzinfo=UTC)) == 0
    assert not Notification.objects.exists()


def test_the_reminder_is_a_daily_scheduled_job(world, case):
    (entry,) = [e for e in SCHEDULE if e.name == "cases.follow_ups_remind"]
    assert entry.daily_at and entry.every_minutes is None
    handler = resolve(entry.handler)
    _due(case, day=timezone.localdate() - timedelta(days=1))
    assert handler(None) == {"reminded": 1}
    assert handler(None) == {"reminded": 0}


def test_the_recovery_record_lists_services_delivered(world, case):
    service = make_service(world, "psychosocial")
    referral = make_referral(case, service, status="completed", served_after=2)
    ServiceDelivery.objects.create(
        case=case,
        service_type="cash",
        provider=world.cma,
        delivered_on=date(2026, 4, 1),
        outcome=ServiceDelivery.Outcome.PARTIAL,
        recorded_at=datetime(2026, 4, 1, tzinfo=UTC),
    )
    record = recovery.recovery_record(case)
    assert [(s.service_type, s.delivered_on, s.provider, s.outcome) for s in record.services] == [
        ("cash", date(2026, 4, 1), world.cma, "partial"),
        ("psychosocial", date(2026, 3, 12), world.un, "done"),
    ]
    assert record.services[1].referral == referral
    page = signed_in(world.user("protection")).get(f"/cases/recovery/{case.pk}/").content.decode()
    assert "Cash assistance" in page and "2026-04-01" in page and "Partly delivered" in page


def test_the_summary_partial_renders_for_the_case_page(world, case):
    from django.template.loader import render_to_string

    recovery.eligibility_record(
        user=world.user("caseworker"),
        case=case,
        programme="terrorism",
        status="eligible",
        evidence=EVIDENCE,
    )
    html = render_to_string(
        "cases/recovery/_summary.html", {"case": case, "record": recovery.recovery_record(case)}
    )
    assert "Victim of terrorism" in html and "Eligible" in html
    assert f"/cases/recovery/{case.pk}/" in html
    assert EVIDENCE not in html  # the evidence is on the record page only


# Figures


@pytest.fixture
def k5(settings):
    settings.SALAMA_SUPPRESSION_K = 5
    return 5


def _type(found, service_type):
    return next(f for f in found if f.service_type == service_type)


def test_figures_count_only_consented_referrals(world, k5):
    case = make_case(world)
    health = make_service(world, "health")
    for days in (1, 2, 3, 4, 10):
        make_referral(case, health, status="completed", served_after=days)
    for _ in range(4):
        make_referral(case, health, status="declined")
    # an offer not taken up is not a service
    make_referral(case, health, status="declined", served_after=1, outcome="not_taken")
    # not counted: overrides and withdrawn consent
    for _ in range(3):
        make_referral(case, health, status="completed", consent=False, served_after=0)
    for _ in range(2):
        make_referral(case, health, status="withdrawn", withdrawn=True)
    make_referral(case, health, status="accepted", withdrawn=True)
    found, counted = figures.referral_figures(world.user("analyst"))
    (h,) = found
    assert h.total == 10
    assert h.rows("site") == {"Amal": 10}
    assert h.rows("month") == {"2026-03": 10}
    assert h.rows("status") == {
        "pending": 0,
        "accepted": 0,
        "declined": 5,
        "completed": 5,
        "cancelled": 0,
    }
    assert h.rows("first_service") == {"delivered": 5, "not_yet": 5}
    assert (h.acceptance, h.completion, h.median_days) == (50, 100, 3)
    assert counted.hidden_small == counted.hidden_secondary == 0


def test_rates_and_the_median_are_computed_right(world, k5):
    case = make_case(world)
    psy = make_service(world, "psychosocial")
    march, april = datetime(2026, 3, 10, 9, tzinfo=UTC), datetime(2026, 4, 2, 9, tzinfo=UTC)
    waits = iter((0, 2, 4, 6, 8, 30))
    for i in range(6):
        make_referral(case, psy, status="accepted", made_at=march if i < 3 else april)
    for i in range(5):
        make_referral(
            case,
            psy,
            status="completed",
            made_at=march if i < 3 else april,
            served_after=next(waits),
        )
    for i in range(5):
        make_referral(case, psy, status="declined", made_at=march if i < 2 else april)
    # one accepted referral served too: six served in all
    accepted = Referral.objects.filter(status="accepted").first()
    ServiceDelivery.objects.create(
        case=case,
        referral=accepted,
        service_type="psychosocial",
        provider=world.un,
        delivered_on=accepted.made_at.date() + timedelta(days=next(waits)),
        recorded_at=accepted.made_at,
    )
    # a second, later service on the same referral does not change its first
    ServiceDelivery.objects.create(
        case=case,
        referral=accepted,
        service_type="psychosocial",
        provider=world.un,
        delivered_on=accepted.made_at.date() + timedelta(days=90),
        recorded_at=accepted.made_at,
    )
    (p,) = figures.referral_figures(world.user("analyst"))[0]
    assert p.total == 16
    assert p.rows("month") == {"2026-03": 8, "2026-04": 8}
    assert p.acceptance == round(100 * 11 / 16) == 69
    assert p.completion == round(100 * 5 / 11) == 45
    assert p.rows("first_service") == {"delivered": 6, "not_yet": 10}
    assert p.median_days == 5  # median of 0, 2, 4, 6, 8, 30


def test_small_cells_are_hidden_with_their_rates_and_zeros_shown(world, k5):
    case = make_case(world)
    health = make_service(world, "health")
    for days in range(5):
        make_referral(case, health, status="completed", served_after=days)
    for _ in range(5):
        make_referral(case, health, status="declined")
    for _ in range(2):
        make_referral(case, health, status="pending")
    legal = make_service(world, "legal_aid")
    for _ in range(3):
        make_referral(case, legal, status="completed", served_after=1)
    found, counted = figures.referral_figures(world.user("analyst"))
    h, lg = _type(found, "health"), _type(found, "legal_aid")
    status = h.rows("status")
    assert status["pending"] is None  # 2 < k
    assert status["accepted"] == status["cancelled"] == 0  # zeros are shown
    # one more hidden so that the 2 cannot be worked out from the total of 12
    assert [status["completed"], status["declined"]].count(None) == 1
    assert h.total == 12
    assert h.acceptance is None and h.completion is None
    assert lg.total is None and lg.median_days is None and lg.acceptance is None
    assert all(n in (None, 0) for b in lg.breakdowns for _, n in b.rows)
    assert counted.hidden_small >= 2 and counted.hidden_secondary >= 1
    assert counted.k == 5


def test_figures_are_only_of_the_viewers_sites_and_the_page_says_what_is_counted(world, k5):
    hop_case = make_case(world, block=world.hop_block, organisation=world.ngo)
    hop_health = make_service(world, "health", site=world.hop)
    for _ in range(6):
        make_referral(hop_case, hop_health, status="declined")
    assert figures.referral_figures(world.user("analyst"))[0] == []
    assert [f.total for f in figures.referral_figures(world.user("admin"))[0]] == [6]
    page = signed_in(world.user("admin")).get("/cases/recovery/figures/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Hope" in text and "overrides" in text and "withdrawn" in text
    assert hop_case.reference not in text
    assert signed_in(world.user("caseworker")).get("/cases/recovery/figures/").status_code == 404


def test_days_to_first_service():
    made = datetime(2026, 3, 10, 23, tzinfo=UTC)
    assert figures.days_to_first_service(made, None) is None
    assert figures.days_to_first_service(made, date(2026, 3, 10)) == 0
    assert figures.days_to_first_service(made, date(2026, 3, 17)) == 7
    assert figures.days_to_first_service(made, date(2026, 3, 1)) == 0
