"""Presence checks and absence alerts: the consecutive-checks rule when a
check is finished, the days rule in its job (moving the clock), recording by
card, search and distribution list, and resolving an alert."""

import io
import json
from datetime import date, timedelta

import pypdfium2
import pytest
import tablib
import time_machine
import zxingcpp
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from salama.notifications.models import Notification
from salama.presence import actions
from salama.presence.models import AbsenceAlert, HouseholdCard, PresenceCheck, Sighting
from tests.conftest import bearer, person_fields, register, signed_in

CHILD = {
    "given_name_latin": "Amina",
    "sex": "F",
    "relationship": "child",
    "birth_date": date(2016, 5, 2),
}


def family(world, block=None, **child):
    household = register(
        world, block or world.amc_block, person_fields(), person_fields(**{**CHILD, **child})
    )
    members = list(household.members.order_by("relationship"))
    head = next(m for m in members if m.relationship == "head")
    kid = next(m for m in members if m.relationship == "child")
    return household, head, kid


def roll_call(world, *seen, user="registrar", site=None):
    check, raised = actions.check_record(
        user=world.user(user),
        site=site or world.amc,
        kind="roll_call",
        held_at=None,
        persons=list(seen),
    )
    return check, raised


def test_a_child_missed_at_two_roll_calls_raises_an_alert_for_the_protection_officer(world):
    _household, head, kid = family(world)
    first, raised = roll_call(world, head)
    assert raised == [] and first.covered == 2 and first.seen == 1
    _second, raised = roll_call(world, head)
    assert [a.person_id for a in raised] == [kid.pk]
    alert = raised[0]
    assert alert.profile == "child" and alert.rule == "checks" and alert.missed_checks == 2
    notes = Notification.objects.filter(kind="presence.absence")
    assert {n.recipient.username for n in notes} == {"protection", "protection_un"}
    told = notes.first()
    assert told.reference == f"AB-{alert.pk:06d}" and told.link == f"/presence/alerts/{alert.pk}/"
    assert "Amina" not in told.subject
    # The adult seen at both raised nothing; a third check adds no second open alert.
    roll_call(world, head)
    assert AbsenceAlert.objects.filter(person=kid).count() == 1
    assert not AbsenceAlert.objects.filter(person=head).exists()


def test_a_child_seen_raises_nothing_and_adults_have_three_checks(world):
    _household, head, kid = family(world)
    for _ in range(2):
        roll_call(world, kid)
    assert not AbsenceAlert.objects.exists()
    _check, raised = roll_call(world, kid)
    assert [a.person_id for a in raised] == [head.pk] and raised[0].profile == "adult"


def test_an_unaccompanied_child_is_alerted_after_one_check(world):
    household = register(
        world,
        world.amc_block,
        person_fields(
            given_name_latin="Yusuf", birth_date=date(2012, 1, 1), specific_needs=["SC-UC"]
        ),
    )
    _check, raised = roll_call(world)
    assert [(a.person_id, a.profile) for a in raised] == [
        (household.members.get().pk, "unaccompanied_child")
    ]


def test_being_seen_again_resets_the_count(world):
    _household, head, kid = family(world)
    roll_call(world, head)
    roll_call(world, head, kid)
    _check, raised = roll_call(world, head)
    assert raised == []


def test_a_check_of_another_camp_does_not_count(world):
    _household, head, kid = family(world)
    family(world, world.hop_block)
    roll_call(world, head)
    actions.check_record(
        user=world.user("admin"), site=world.hop, kind="roll_call", held_at=None, persons=[]
    )
    assert not AbsenceAlert.objects.filter(person=kid).exists()


def test_finishing_a_check_takes_a_few_queries_whatever_the_size_of_the_site(world):
    def queries(size):
        block = world.amc_block
        for _ in range(size):
            register(world, block, person_fields())  # adults: no alert at the first check
        check = actions.check_open(user=world.user("registrar"), site=world.amc, kind="roll_call")
        with CaptureQueriesContext(connection) as captured:
            actions.check_close(user=world.user("registrar"), check=check)
        return len(captured)

    small = queries(3)
    large = queries(40)
    assert large == small and small < 25


def test_the_days_rule_runs_in_its_job_as_the_clock_moves(world):
    _household, head, kid = family(world)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        roll_call(world, head, kid)
    with time_machine.travel(start + timedelta(days=1), tick=False):
        roll_call(world, head)  # the child's first miss: below the child's two checks
        assert actions.absence_days_scan() == []
    with time_machine.travel(start + timedelta(days=2, hours=23), tick=False):
        assert actions.absence_days_scan() == []
    with time_machine.travel(start + timedelta(days=3, hours=1), tick=False):
        raised = actions.absence_days_scan()
        assert [(a.person_id, a.rule, a.days_unseen) for a in raised] == [(kid.pk, "days", 3)]
        assert actions.absence_days_scan() == []  # one open alert per person
    assert Notification.objects.filter(kind="presence.absence").count() == 2  # two officers


def test_the_days_rule_stays_quiet_where_no_checks_are_held(world):
    family(world)
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        assert actions.absence_days_scan() == []


def test_the_days_job_is_scheduled_hourly():
    from salama.jobs.schedule import SCHEDULE

    entry = next(e for e in SCHEDULE if e.name == "presence.absence_days_scan")
    assert entry.every_minutes == 60 and entry.handler == "salama.presence.jobs.absence_days_scan"


def _raise_child_alert(world):
    _household, head, kid = family(world)
    roll_call(world, head)
    _check, raised = roll_call(world, head)
    return head, kid, raised[0]


def test_an_officer_confirms_safe_and_old_misses_no_longer_count(world):
    head, kid, alert = _raise_child_alert(world)
    client = signed_in(world.user("protection"))
    assert client.get(f"/presence/alerts/{alert.pk}/").status_code == 200
    response = client.post(f"/presence/alerts/{alert.pk}/safe/", {"note": ""})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == "safe" and alert.resolved_by == world.user("protection")
    _check, raised = roll_call(world, head)
    assert raised == []  # one miss since the officer cleared her


def test_dismissing_needs_a_reason_and_confirms_first(world):
    _head, _kid, alert = _raise_child_alert(world)
    client = signed_in(world.user("protection"))
    page = client.get(f"/presence/alerts/{alert.pk}/dismiss/")
    assert page.status_code == 200 and b"confirm-dismiss" in page.content
    refused = client.post(f"/presence/alerts/{alert.pk}/dismiss/", {"reason": "  "})
    assert refused.status_code == 400
    alert.refresh_from_db()
    assert alert.status == "open"
    client.post(f"/presence/alerts/{alert.pk}/dismiss/", {"reason": "At school in town"})
    alert.refresh_from_db()
    assert alert.status == "dismissed" and alert.reason == "At school in town"
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM presence_absencealert WHERE id = %s", [alert.pk])
        assert "school" not in cursor.fetchone()[0]


def test_the_alert_page_links_to_a_missing_report_and_tracing_marks_it_reported(world):
    from salama.core.roles import Perm
    from salama.presence import access

    _head, kid, alert = _raise_child_alert(world)
    page = signed_in(world.user("protection")).get(f"/presence/alerts/{alert.pk}/").content.decode()
    assert f"/tracing/reports/new/?person={kid.pk}&amp;alert={alert.pk}" in page
    officer = world.user("protection")
    found = access.get_absence_alert(officer, alert.pk, Perm.ABSENCE_RESOLVE)
    actions.absence_alert_mark_reported(user=officer, alert=found, case_reference="TR-000042")
    alert.refresh_from_db()
    assert alert.status == "reported" and alert.case_reference == "TR-000042"
    with pytest.raises(actions.PresenceError):
        actions.absence_alert_mark_reported(user=officer, alert=found, case_reference="TR-1")


def test_a_tracing_officer_sees_alerts_but_may_not_resolve_them(world):
    from django.http import Http404

    from salama.core.roles import Perm
    from salama.presence import access

    _head, _kid, alert = _raise_child_alert(world)
    tracer = world.user("tracer")
    assert access.get_absence_alert(tracer, alert.pk).pk == alert.pk
    with pytest.raises(Http404):
        access.get_absence_alert(tracer, alert.pk, Perm.ABSENCE_RESOLVE)
    page = signed_in(tracer).get(f"/presence/alerts/{alert.pk}/").content.decode()
    assert "confirm-safe" not in page
    assert signed_in(tracer).post(f"/presence/alerts/{alert.pk}/safe/").status_code == 404


# --- Recording on the pages --------------------------------------------------------


def _open_check(world, user="registrar"):
    client = signed_in(world.user(user))
    response = client.post("/presence/", {"site": world.amc.pk, "kind": "roll_call"})
    assert response.status_code == 302
    return client, PresenceCheck.objects.get()


def test_search_marks_one_person_and_untick_removes_them(world):
    _household, head, kid = family(world)
    client, check = _open_check(world)
    found = client.post(f"/presence/checks/{check.pk}/search/", {"q": kid.registration_number})
    assert kid.registration_number in found.content.decode()
    by_name = client.post(
        f"/presence/checks/{check.pk}/search/", {"q": "Amina"}, HTTP_HX_REQUEST="true"
    )
    assert kid.registration_number in by_name.content.decode()
    client.post(f"/presence/checks/{check.pk}/mark/", {"person": kid.pk, "method": "search"})
    assert list(Sighting.objects.values_list("person_id", "method")) == [(kid.pk, "search")]
    client.post(f"/presence/checks/{check.pk}/unmark/", {"person": kid.pk})
    assert not Sighting.objects.exists()


def test_a_person_of_another_camp_cannot_be_marked(world):
    _h, _head, _kid = family(world)
    _h2, other, _k2 = family(world, world.hop_block)
    client, check = _open_check(world, "admin")
    response = client.post(f"/presence/checks/{check.pk}/mark/", {"person": other.pk})
    assert response.status_code == 404 and not Sighting.objects.exists()


def test_a_scanned_card_marks_the_ticked_members(world):
    household, head, kid = family(world)
    client, check = _open_check(world)
    printed = client.post(f"/presence/cards/{world.amc_block.code}/print/")
    assert printed.status_code == 200 and printed["Content-Type"] == "application/pdf"
    card = HouseholdCard.objects.get(household=household)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(printed.content)).pages)
    assert household.registration_number in text and "Amina" not in text
    assert card.code not in text  # the code is in the QR only
    assert len(card.code) >= 20 and household.registration_number not in card.code
    image = pypdfium2.PdfDocument(printed.content)[0].render(scale=200 / 72).to_pil()
    assert [b.text for b in zxingcpp.read_barcodes(image)] == [card.code]
    # A reprint gives the same code.
    client.post(f"/presence/cards/{world.amc_block.code}/print/")
    assert HouseholdCard.objects.get(household=household).code == card.code
    shown = client.post(
        f"/presence/checks/{check.pk}/scan/", {"code": card.code}, HTTP_HX_REQUEST="true"
    )
    assert head.registration_number in shown.content.decode()
    assert kid.registration_number in shown.content.decode()
    client.post(f"/presence/checks/{check.pk}/mark/", {"person": [head.pk], "method": "scan"})
    assert list(Sighting.objects.values_list("person_id", "method")) == [(head.pk, "scan")]


def test_a_revoked_or_unknown_card_marks_no_one(world):
    household, _head, _kid = family(world)
    client, check = _open_check(world)
    (card,) = actions.cards_issue(user=world.user("registrar"), households=[household])
    assert client.get(f"/presence/card/{card.pk}/revoke/").status_code == 200
    client.post(f"/presence/card/{card.pk}/revoke/")
    for code in (card.code, "HC1-not-a-card"):
        shown = client.post(f"/presence/checks/{check.pk}/scan/", {"code": code})
        assert b"card-error" in shown.content and b"card-members-form" not in shown.content


def _list(numbers, fmt="csv"):
    data = tablib.Dataset(headers=["registration_number"])
    for n in numbers:
        data.append([n])
    return io.BytesIO(data.export(fmt) if fmt == "xlsx" else data.export(fmt).encode())


def test_a_distribution_list_marks_all_rows_or_none(world):
    _household, head, kid = family(world)
    _h2, other_camp, _k2 = family(world, world.hop_block)
    client, check = _open_check(world)
    bad = _list([head.registration_number, other_camp.registration_number, ""])
    bad.name = "list.csv"
    response = client.post(f"/presence/checks/{check.pk}/import/", {"file": bad})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Row 3" in text and other_camp.registration_number in text and "Row 4" in text
    assert not Sighting.objects.exists()
    good = _list([head.registration_number, kid.registration_number], "xlsx")
    good.name = "list.xlsx"
    response = client.post(f"/presence/checks/{check.pk}/import/", {"file": good})
    assert response.status_code == 302
    assert set(Sighting.objects.values_list("method", flat=True)) == {"import"}
    assert Sighting.objects.count() == 2


def test_a_finished_check_asks_first_then_refuses_more_marks(world):
    _household, head, kid = family(world)
    client, check = _open_check(world)
    page = client.get(f"/presence/checks/{check.pk}/finish/")
    assert page.status_code == 200 and b"confirm-finish" in page.content
    client.post(f"/presence/checks/{check.pk}/finish/")
    check.refresh_from_db()
    assert check.status == "closed" and check.covered == 2
    client.post(f"/presence/checks/{check.pk}/mark/", {"person": head.pk, "method": "search"})
    assert not Sighting.objects.exists()


# --- API ------------------------------------------------------------------------------


def _post_check(client, auth, body, **headers):
    return client.post(
        "/api/v1/presence/checks",
        data=json.dumps(body),
        content_type="application/json",
        **auth,
        **headers,
    )


def test_api_records_a_check_and_lists_the_alerts(world, client):
    _household, head, kid = family(world)
    auth = bearer(world.user("protection"))
    body = {"site": "AMC", "kind": "roll_call", "seen": [head.registration_number]}
    first = _post_check(client, auth, body)
    assert first.status_code == 201, first.content
    assert first.json()["seen"] == 1 and first.json()["covered"] == 2
    second = _post_check(client, auth, {**body, "kind": "distribution"}).json()
    assert second["alerts_raised"] == 1
    assert second["alerts"][0]["registration_number"] == kid.registration_number
    listed = client.get("/api/v1/presence/alerts?status=open&site=AMC", **auth).json()
    assert listed["count"] == 1 and listed["items"][0]["profile"] == "child"
    assert client.get("/api/v1/presence/alerts?status=safe", **auth).json()["count"] == 0


def test_api_refuses_unknown_numbers_naming_them_and_writes_nothing(world, client):
    _household, head, _kid = family(world)
    _h2, other, _k2 = family(world, world.hop_block)
    auth = bearer(world.user("registrar"))
    body = {
        "site": "AMC",
        "kind": "roll_call",
        "seen": [head.registration_number, other.registration_number, "Somebody"],
    }
    response = _post_check(client, auth, body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == ["seen.1", "seen.2"]
    assert (
        other.registration_number in errors[0]["message"]
        and "Somebody" not in response.content.decode()
    )
    assert not PresenceCheck.objects.exists() and not Sighting.objects.exists()


def test_api_refuses_a_site_out_of_scope_and_a_future_time(world, client):
    auth = bearer(world.user("registrar"))
    assert (
        _post_check(client, auth, {"site": "HOP", "kind": "roll_call", "seen": []}).status_code
        == 422
    )
    future = (timezone.now() + timedelta(days=1)).isoformat()
    response = _post_check(
        client, auth, {"site": "AMC", "kind": "roll_call", "held_at": future, "seen": []}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "held_at"
    assert not PresenceCheck.objects.exists()


def test_api_answers_404_to_those_who_may_not_record_or_view(world, client):
    for name in ("caseworker", "analyst"):
        auth = bearer(world.user(name))
        assert (
            _post_check(client, auth, {"site": "AMC", "kind": "roll_call", "seen": []}).status_code
            == 404
        )
    assert (
        client.get("/api/v1/presence/alerts", **bearer(world.user("registrar"))).status_code == 404
    )


def test_api_retry_with_the_same_idempotency_key_records_one_check(world, client):
    auth = bearer(world.user("registrar"))
    body = {"site": "AMC", "kind": "roll_call", "seen": []}
    first = _post_check(client, auth, body, HTTP_IDEMPOTENCY_KEY="k-1")
    again = _post_check(client, auth, body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and PresenceCheck.objects.count() == 1


def test_a_registrar_learns_only_how_many_alerts_were_raised(world, client):
    _household, head, _kid = family(world)
    auth = bearer(world.user("registrar"))
    body = {"site": "AMC", "kind": "roll_call", "seen": [head.registration_number]}
    _post_check(client, auth, body)
    answer = _post_check(client, auth, body).json()
    assert answer["alerts_raised"] == 1 and answer["alerts"] == []


def test_checks_and_resolved_alerts_past_their_retention_period_are_deleted(world):
    from salama.audit.models import AuditEntry

    _household, head, kid = family(world)
    roll_call(world, head)
    _check, raised = roll_call(world, head)
    (alert,) = raised
    actions.absence_alert_confirm_safe(user=world.user("protection"), alert=alert, note="ok")
    later = timezone.now() + timedelta(days=364)
    assert actions.presence_retention(now=later) == {"alerts": 0, "checks": 0, "sightings": 0}
    later = timezone.now() + timedelta(days=366)
    assert actions.presence_retention(now=later) == {"alerts": 1, "checks": 2, "sightings": 2}
    assert not PresenceCheck.objects.exists() and not Sighting.objects.exists()
    assert not AbsenceAlert.objects.exists()
    assert AuditEntry.objects.filter(action="delete", model="presence.PresenceCheck").count() == 2


def test_an_open_alert_is_kept_whatever_its_age(world):
    _household, head, kid = family(world)
    roll_call(world, head)
    roll_call(world, head)
    result = actions.presence_retention(now=timezone.now() + timedelta(days=800))
    assert result["alerts"] == 0 and result["checks"] == 2
    assert AbsenceAlert.objects.get().status == "open"
