"""What the desk's security probe found, kept fixed (PROTECTION.md 8, 16, 26):
survivors' records held back from tracing officers stay held back in the log
and in the reports; a desk searches only registries its keeper may; a
reporter cannot flood the desk through the status page."""

import pytest
import time_machine
from django.test import Client

from salama.registry.models import Person
from salama.tracing import actions
from salama.tracing.models import CaseAction, CaseCandidate
from tests.conftest import bearer, person_fields, register, signed_in
from tests.test_tracing_reports import missing, register_girl


def survivor_girl(world):
    girl = register_girl(world)
    Person.objects.filter(pk=girl.pk).update(mask_name=True, specific_needs=["SV-VA"])
    girl.refresh_from_db()
    return girl


def test_confirming_a_survivor_leaves_her_number_out_of_the_log(world, desk):
    girl = survivor_girl(world)
    taken = actions.report_take(
        user=world.user("tracer"), desk=desk, data=missing(), channel="desk"
    )
    candidate = CaseCandidate.objects.get(case=taken.case, person=girl)
    actions.candidate_decide(
        user=world.user("protection_un"), case=taken.case, candidate=candidate, confirmed=True
    )
    page = signed_in(world.user("tracer")).get(f"/tracing/cases/{taken.case.pk}/")
    api = Client().get(f"/api/v1/tracing/cases/{taken.case.pk}", **bearer(world.user("tracer")))
    assert page.status_code == api.status_code == 200
    for text in (page.content.decode(), api.content.decode()):
        assert girl.registration_number not in text and str(girl.pk) not in text
    assert CaseAction.objects.filter(case=taken.case, kind="candidate").exists()


def test_a_report_from_a_survivors_record_shows_her_names_only_to_protection(world, desk):
    girl = survivor_girl(world)
    taken = actions.report_take(
        user=world.user("protection_un"),
        desk=desk,
        data=missing(person={"sex": "F", "description": "green dress"}),
        channel="desk",
        registry_person=girl,
    )
    url = f"/tracing/cases/{taken.case.pk}/"
    tracer = signed_in(world.user("tracer")).get(url).content.decode()
    assert "Haddad" not in tracer and "حداد" not in tracer and "green dress" in tracer
    protection = signed_in(world.user("protection_un")).get(url).content.decode()
    assert "Haddad" in protection


def test_a_desk_searches_only_registries_of_sites_its_keeper_keeps(world, desk):
    register(world, world.hop_block, person_fields(given_name_latin="Zaynab", sex="F"))
    with pytest.raises(actions.TracingError):
        actions.desk_save(
            user=world.user("protection_un"),
            site=world.amc,
            organisation=world.un,
            place="",
            hours="",
            searches=[world.hop],
            public=True,
        )
    assert list(desk.searches.all()) == []


def test_a_reporter_adds_at_most_ten_messages_an_hour(world, desk):
    taken = actions.report_take(user=None, desk=desk, data=missing(), channel="public")
    for n in range(actions.REPORTER_ADDITIONS_PER_HOUR):
        actions.reporter_adds(report=taken.report, text=f"message {n}")
    with pytest.raises(actions.TracingError):
        actions.reporter_adds(report=taken.report, text="one more")
    added = CaseAction.objects.filter(case=taken.case, kind="reporter_info").count()
    assert added == actions.REPORTER_ADDITIONS_PER_HOUR


def test_a_sighting_in_the_future_is_refused(world, desk):
    from datetime import timedelta

    from django.utils import timezone

    taken = actions.report_take(
        user=world.user("tracer"), desk=desk, data=missing(), channel="desk"
    )
    later = (timezone.now() + timedelta(days=3)).isoformat()
    with pytest.raises(actions.TracingError):
        actions.case_act(
            user=world.user("tracer"),
            case=taken.case,
            kind="sighting",
            place="market",
            seen_at=later,
        )


@time_machine.travel("2026-12-02 10:00:00+00:00", tick=False)
def test_a_last_seen_time_later_today_is_refused():
    from datetime import timedelta

    from django.utils import timezone

    from salama.tracing.reports import ReportError, clean_report

    soon = timezone.localtime() + timedelta(hours=2)
    with pytest.raises(ReportError) as error:
        clean_report(
            {
                "kind": "missing",
                "person": {"given_name_latin": "Amina"},
                "last_seen": {"date": soon.date().isoformat(), "time": soon.strftime("%H:%M")},
            }
        )
    assert set(error.value.errors) == {"last_seen.time"}


def test_a_shift_already_over_is_refused(world, desk):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    with pytest.raises(actions.TracingError):
        actions.duty_shift_add(
            user=world.user("protection_un"),
            desk=desk,
            officer=world.user("tracer"),
            starts_at=now - timedelta(hours=9),
            ends_at=now - timedelta(hours=1),
        )
