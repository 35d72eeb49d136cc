"""The missing-persons desk's staff pages in the access grid: every persona x
every page. A tracing case is case data of the desk's organisation (the UN
agency at Amal): the same role in another organisation gets 404, never 403,
and a visitor without an account is sent to sign in."""

import pytest
from django.test import Client

from salama.tracing import actions
from salama.tracing.models import CaseAction
from tests.conftest import PERSONAS, signed_in
from tests.test_tracing_reports import missing

ADMINISTRATORS = {"admin", "admin_hop", "admin_un"}
# Hold TRACING_VIEW / TRACING_REPORT somewhere: their list and report form open
# (empty, or saying no desk is theirs, outside the UN agency).
TRACERS = {"tracer", "protection", "protection_un"} | ADMINISTRATORS
# The UN agency's staff at Amal: the desk's cases.
DESK_STAFF = {"tracer", "protection_un", "admin_un"}
# Hold TRACING_DESK: protection officers and administrators.
DESK_KEEPERS = {"protection", "protection_un"} | ADMINISTRATORS
DESK_SETTINGS = {"protection_un", "admin_un"}


@pytest.fixture
def case(world, desk):
    from tests.test_tracing_desk import PNG

    taken = actions.report_take(
        user=world.user("tracer"),
        desk=desk,
        data=missing(),
        channel="desk",
        photo=(PNG, "image/png"),
    )
    return taken


def pages(case, desk):
    return {
        "/tracing/cases/": TRACERS,
        "/tracing/reports/new/": TRACERS,
        f"/tracing/cases/{case.case.pk}/": DESK_STAFF,
        f"/tracing/cases/{case.case.pk}/reports/{case.report.pk}/photo/": DESK_STAFF,
        "/tracing/desks/": DESK_KEEPERS,
        "/tracing/desks/new/": DESK_KEEPERS,
        f"/tracing/desks/{desk.pk}/": DESK_SETTINGS,
        f"/tracing/desks/{desk.pk}/notice.pdf": DESK_SETTINGS,
    }


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_every_persona_reaches_only_its_desk_pages(world, desk, case, name):
    client = signed_in(world.user(name))
    grid = pages(case, desk)
    answers = {path: client.get(path).status_code for path in grid}
    assert {p for p, status in answers.items() if status == 200} == {
        p for p, allowed in grid.items() if name in allowed
    }
    assert {status for p, status in answers.items() if name not in grid[p]} <= {404}


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_only_the_desks_staff_add_to_a_cases_log(world, desk, case, name):
    response = signed_in(world.user(name)).post(
        f"/tracing/cases/{case.case.pk}/act/", {"kind": "note", "note": "Searched block D"}
    )
    assert response.status_code == (302 if name in DESK_STAFF else 404)
    assert CaseAction.objects.filter(kind="note").exists() == (name in DESK_STAFF)


def test_a_visitor_without_an_account_is_sent_to_sign_in(world, desk, case):
    client = Client()
    for path in pages(case, desk):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(
            "/accounts/login/"
        ), path
    response = client.post(f"/tracing/cases/{case.case.pk}/act/", {"kind": "note", "note": "x"})
    assert response.status_code == 302 and not CaseAction.objects.filter(kind="note").exists()
