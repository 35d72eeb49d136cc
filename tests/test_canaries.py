"""Rule 24 with planted canary values: what a user or client types never
appears in logs (tracebacks included), in URLs (redirect Locations, links)
or in error answers, over every API operation and the web search and match
pages. An API operation added later gets a line in `api_calls`."""

import json
import logging
import re

import pytest
from django.test import Client

from salama.core.logs import WITHHELD
from tests.conftest import bearer, register, signed_in
from tests.test_registry_desk import desk_post

CANARY = "Zqvcanaryname"
CANARY_SEX = "zqvcanarysex"


@pytest.fixture
def every_log(caplog):
    """caplog sees the root logger; django.request does not propagate to it."""
    request_logger = logging.getLogger("django.request")
    request_logger.addHandler(caplog.handler)
    with caplog.at_level(logging.DEBUG):
        yield caplog
    request_logger.removeHandler(caplog.handler)


def test_a_logged_traceback_keeps_its_frames_and_withholds_what_was_typed(every_log):
    try:
        raise ValueError(f"row 2, column sex: unknown value {CANARY_SEX!r}")
    except ValueError:
        logging.getLogger("django.request").error("Internal Server Error: /x", exc_info=True)
    assert CANARY_SEX not in every_log.text
    assert "ValueError" in every_log.text and WITHHELD in every_log.text
    assert "test_a_logged_traceback_keeps_its_frames" in every_log.text  # the frame is kept


def _api_calls(household_id: str, person_id: str) -> list[tuple[str, str, object]]:
    member = {"given_name_latin": CANARY, "family_name_latin": CANARY, "sex": "F"}
    return [
        ("get", f"/api/v1/persons?q={CANARY}", None),
        ("get", "/api/v1/persons?page_size=5", None),
        ("post", "/api/v1/persons/search", {"q": CANARY}),
        ("post", "/api/v1/persons/search", {"q": CANARY, "page": CANARY}),
        ("post", "/api/v1/persons/match", {"full_name": CANARY, "sex": CANARY_SEX}),
        ("post", "/api/v1/persons/match", {"given_name": CANARY, "birth_date": CANARY}),
        (
            "post",
            "/api/v1/persons/match",
            {"full_name": f"{CANARY} {CANARY}", "place_of_origin": CANARY, "phone": CANARY},
        ),
        ("post", "/api/v1/persons/match/ask", {"token": CANARY}),
        ("get", f"/api/v1/persons/{person_id}", None),
        ("get", "/api/v1/persons/9e0f7d8c-0000-4000-8000-000000000000", None),
        ("post", "/api/v1/persons", {**member, "household_id": household_id}),
        ("post", "/api/v1/persons", {**member, "sex": CANARY_SEX, "household_id": household_id}),
        ("post", "/api/v1/persons", {**member, "nationality": CANARY, "household_id": CANARY}),
        ("patch", f"/api/v1/persons/{person_id}", {"sex": CANARY_SEX, "given_name": CANARY}),
        ("patch", f"/api/v1/persons/{person_id}", {"origin_country": CANARY}),
        ("patch", f"/api/v1/persons/{person_id}", {"specific_needs": [CANARY]}),
        ("get", "/api/v1/households", None),
        ("get", f"/api/v1/households?q={CANARY}", None),
        ("post", "/api/v1/households/search", {"q": CANARY}),
        ("get", f"/api/v1/households/{household_id}", None),
        ("post", "/api/v1/households", {"site_code": "AMC-Z1A", "members": [member]}),
        (
            "post",
            "/api/v1/households",
            {"site_code": CANARY, "members": [{**member, "sex": CANARY_SEX}]},
        ),
        (
            "post",
            "/api/v1/households",
            {"site_code": "AMC-Z1A", "members": [member], "legal_bases": {"sharing": CANARY}},
        ),
        ("patch", f"/api/v1/households/{household_id}", {"shelter": CANARY * 20}),
        (
            "post",
            "/api/v1/tracing/reports",
            {"site": "AMC", "kind": "missing", "person": {"given_name": CANARY, "sex": "F"}},
        ),
        (
            "post",
            "/api/v1/tracing/reports",
            {"site": CANARY, "kind": "found", "person": {"given_name": CANARY}},
        ),
        (
            "post",
            "/api/v1/tracing/reports",
            {
                "site": "AMC",
                "kind": "missing",
                "person": {"given_name": CANARY, "birth_date": CANARY},
                "circumstances": [CANARY],
            },
        ),
        ("get", f"/api/v1/tracing/cases?site={CANARY}", None),
        ("get", "/api/v1/tracing/cases?status=investigating", None),
        ("get", f"/api/v1/tracing/cases/{CANARY}", None),
        ("post", "/api/v1/presence/checks", {"site": "AMC", "kind": "roll_call", "seen": []}),
        ("post", "/api/v1/presence/checks", {"site": "AMC", "kind": "roll_call", "seen": [CANARY]}),
        ("post", "/api/v1/presence/checks", {"site": CANARY, "kind": CANARY_SEX, "seen": []}),
        (
            "post",
            "/api/v1/presence/checks",
            {"site": "AMC", "kind": "distribution", "held_at": CANARY, "seen": [CANARY_SEX]},
        ),
        ("get", "/api/v1/presence/alerts", None),
        ("get", f"/api/v1/presence/alerts?site={CANARY}&status=open", None),
        ("post", "/api/v1/cases", {"person_id": person_id, "case_type": "gbv", "note": CANARY}),
        ("post", "/api/v1/cases", {"person_id": CANARY, "case_type": CANARY_SEX}),
        (
            "post",
            "/api/v1/cases",
            {
                "person_id": person_id,
                "case_type": "gbv",
                "source": {"kind": "screening", "id": CANARY},
            },
        ),
        ("get", f"/api/v1/cases/{CANARY}", None),
        ("get", f"/api/v1/cases/{person_id}", None),
        (
            "post",
            "/api/v1/referrals",
            {"case_id": CANARY, "service_id": person_id, "override": {"reason": CANARY}},
        ),
        (
            "post",
            "/api/v1/referrals",
            {
                "case_id": person_id,
                "service_id": person_id,
                "consent": {
                    "given": True,
                    "explained_by": CANARY,
                    "language": "ar",
                    "share": [CANARY],
                },
            },
        ),
        ("get", f"/api/v1/referrals?direction={CANARY}", None),
        ("get", "/api/v1/referrals?direction=outgoing&status=pending", None),
        ("get", f"/api/v1/referrals/{CANARY}", None),
        ("post", f"/api/v1/referrals/{CANARY}/accept", {"note": CANARY}),
        ("post", f"/api/v1/referrals/{person_id}/decline", {"note": CANARY}),
        ("post", f"/api/v1/referrals/{CANARY}/withdraw", {"note": CANARY}),
        ("get", "/api/v1/services?site=AMC", None),
        ("get", f"/api/v1/services?site={CANARY}", None),
        ("get", f"/api/v1/services?organisation={CANARY}", None),
        ("get", f"/api/v1/services?service_type={CANARY_SEX}", None),
        (
            "post",
            "/api/v1/civil/events",
            {
                "type": "marriage",
                "parties": [{"person_id": person_id, "role": "spouse"}],
                "date": "2026-01-10",
                "place": CANARY,
                "witnesses": [CANARY],
                "details": {CANARY: CANARY_SEX},
            },
        ),
        (
            "post",
            "/api/v1/civil/events",
            {
                "type": "death",
                "parties": [{"person_id": person_id, "role": "deceased"}],
                "date": "2026-01-10",
                "place": "Clinic",
                "details": {"manner": CANARY_SEX, "cause_source": "lay_report"},
            },
        ),
        ("post", "/api/v1/civil/events", {"type": CANARY_SEX, "parties": [], "date": CANARY}),
        ("get", f"/api/v1/civil/events/{CANARY}", None),
        ("get", f"/api/v1/civil/events/{person_id}", None),
        ("get", f"/api/v1/civil/events/{CANARY}/certificate.pdf", None),
        (
            "post",
            "/api/v1/complaints",
            {
                "site": "AMC",
                "relationship": "self",
                "consent_assistance": "yes",
                "survivor_age": "adult",
                "survivor_sex": CANARY_SEX,
                "category": "sexual_abuse",
                "narrative": f"{CANARY} {CANARY}",
                "subject_type": "ngo_staff",
                "subject_name": CANARY,
            },
        ),
        ("get", f"/api/v1/complaints/{CANARY}", None),
        ("get", f"/api/v1/complaints/{person_id}", None),
        ("get", f"/api/v1/reports/figures?site={CANARY}", None),
        ("get", f"/api/v1/reports/figures?site=AMC&start={CANARY}", None),
        ("get", "/api/v1/reports/figures?site=AMC", None),
    ]


def test_every_api_operation_is_in_the_canary_run(world):
    """An operation added to the API must be added to `_api_calls`."""
    schema = Client().get("/api/v1/openapi.json").json()
    called = [(m, url.split("?")[0]) for m, url, _body in _api_calls("h-id", "p-id")]
    for path, operations in schema["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")
        for method in operations:
            assert any(m == method and pattern.match(url) for m, url in called), (method, path)


def test_no_canary_in_the_logs_urls_or_error_answers_of_the_api(world, every_log):
    household = register(world, world.amc_block)
    person = household.members.get()
    client, auth = Client(), bearer(world.user("admin"))
    answers = []
    for method, url, body in _api_calls(str(household.pk), str(person.pk)):
        kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
        response = getattr(client, method)(url, **kwargs, **auth)
        assert response.status_code < 500, (method, url)
        answers.append((method, url, response))
    statuses = {response.status_code for _m, _u, response in answers}
    assert {200, 201, 400, 404, 422} <= statuses
    for method, url, response in answers:
        assert CANARY not in response.get("Location", ""), url
        if response.status_code >= 400:
            text = response.content.decode()
            assert CANARY not in text and CANARY_SEX not in text, (method, url, text)
    assert CANARY not in every_log.text and CANARY_SEX not in every_log.text


def test_no_canary_in_the_logs_or_urls_of_the_search_and_match_pages(world, every_log):
    register(world, world.amc_block)
    client = signed_in(world.user("registrar"))
    member = {"given_name_latin": CANARY, "sex": CANARY_SEX, "relationship": "head"}
    responses = [
        client.post("/registry/persons/search/", {"q": CANARY}),
        client.post("/registry/persons/search/", {"q": CANARY, "mode": "exact"}),
        client.post("/registry/persons/search/", {"q": CANARY, "sex": CANARY_SEX}),
        client.post("/registry/persons/find/", {"full_name": f"{CANARY} {CANARY}"}),
        client.post("/registry/persons/find/", {"full_name": CANARY}, HTTP_HX_REQUEST="true"),
        client.post("/registry/match/0/", {f"m-0-{k}": v for k, v in member.items()}),
        client.post(
            "/registry/match/0/",
            {"m-0-given_name_latin": CANARY, "m-0-sex": "F", "m-0-birth_date": CANARY_SEX},
        ),
        client.post("/registry/match/0/", {"m-0-given_name": CANARY, "m-0-stated_age": "99999"}),
        client.post("/registry/households/new/", desk_post(world, [member])),
        client.post("/registry/households/new/", desk_post(world, [{**member, "sex": "F"}])),
    ]
    assert all(r.status_code < 500 for r in responses)
    pages = "".join(r.content.decode() for r in responses)
    links = re.findall(r'(?:href|action|hx-get|hx-post|src)="([^"]+)"', pages)
    assert links and not any(CANARY in link or CANARY_SEX in link for link in links)
    assert not any(CANARY in r.get("Location", "") for r in responses)
    for refused in responses[5:8]:  # the desk's look-ups answer 400 naming the field only
        assert refused.status_code == 400 and CANARY_SEX not in refused.content.decode()
    assert CANARY not in every_log.text and CANARY_SEX not in every_log.text


def test_no_canary_in_the_logs_urls_or_error_messages_of_the_public_report_pages(
    world, desk, every_log
):
    """The public report and status pages (/missing/): what a reporter types,
    and the PIN they are given, appear in no log and no URL; an answer that
    refuses a form names the field only (the form keeps what was typed, in
    its inputs, so that nobody types it twice)."""
    from tests.test_tracing_public import codes, form, send, stamp

    canary = {
        "given_name": CANARY,
        "family_name": CANARY,
        "description": CANARY,
        "last_seen_place": CANARY,
        "reporter_name": CANARY,
        "reporter_contact": CANARY,
    }
    client = Client()
    refused = [
        send(client, form(desk, **canary, birth_date=CANARY_SEX)),
        send(client, form(desk, **canary, age=CANARY_SEX[:3])),
        send(client, form(desk, **canary, circumstances=[CANARY_SEX])),
        send(client, form(desk, **canary, sex=CANARY_SEX)),
        send(client, form(desk, **canary, website=CANARY)),
        send(client, form(desk, **canary, stamp=CANARY)),
    ]
    stored = send(client, form(desk, **canary, stamp=stamp()))
    reference, pin = codes(stored)
    lookups = [
        client.post("/missing/status/", {"reference": CANARY, "pin": CANARY_SEX}),
        client.post("/missing/status/", {"reference": reference, "pin": CANARY_SEX}),
        client.post("/missing/status/", {"reference": reference, "pin": pin}),
    ]
    added = [
        client.post("/missing/status/", {"step": "add", "text": CANARY}),
        client.post("/missing/status/", {"step": "add", "text": CANARY * 300}),
    ]
    responses = [*refused, stored, *lookups, *added, client.get("/missing/status/")]
    assert all(r.status_code < 500 for r in responses)
    assert [r.status_code for r in refused] == [400] * len(refused)
    assert stored.status_code == 200
    pages = "".join(r.content.decode() for r in responses)
    links = re.findall(r'(?:href|action|src)="([^"]+)"', pages)
    secrets = (CANARY, CANARY_SEX, pin)
    assert links and not any(s in link for s in secrets for link in links)
    assert not any(s in r.get("Location", "") for s in secrets for r in responses)
    for response in [*refused, *lookups, added[1]]:
        messages = " ".join(re.findall(r'class="error"[^>]*>([^<]*)<', response.content.decode()))
        assert CANARY not in messages and CANARY_SEX not in messages
    assert not any(s in every_log.text for s in secrets)


def test_no_canary_in_the_logs_urls_or_messages_of_complaints(wall, every_log):
    """What a complainant types, and their receipt code, appear in no log, no
    URL, no notification and no error message; a refused form names the field."""
    from salama.notifications.models import Notification
    from tests.test_complaints import _public_post

    canary = {
        "narrative": f"{CANARY} happened {CANARY}",
        "subject_name": CANARY,
        "incident_place": CANARY,
        "complainant_name": CANARY,
        "contact": CANARY,
    }
    client = Client()
    refused = [
        _public_post(client, wall, **canary, category=CANARY_SEX),
        _public_post(client, wall, **canary, incident_date=CANARY_SEX),
        _public_post(client, wall, **canary, receiver=CANARY),
    ]
    stored = _public_post(client, wall, **canary)
    code = stored.content.decode().split('id="receipt" dir="ltr">')[1].split("<")[0]
    lookups = [
        client.post("/complaints/status/", {"code": CANARY}),
        client.post("/complaints/status/", {"code": code}),
        client.post("/complaints/status/", {"step": "add", "text": CANARY}),
        client.get("/complaints/status/"),
    ]
    responses = [*refused, stored, *lookups]
    assert all(r.status_code < 500 for r in responses)
    assert [r.status_code for r in refused] == [400] * len(refused)
    pages = "".join(r.content.decode() for r in responses)
    links = re.findall(r'(?:href|action|src)="([^"]+)"', pages)
    secrets = (CANARY, CANARY_SEX, code, code.replace(" ", ""))
    assert links and not any(s in link for s in secrets for link in links)
    assert not any(s in r.get("Location", "") for s in secrets for r in responses)
    for response in refused:
        messages = " ".join(re.findall(r'class="error"[^>]*>([^<]*)<', response.content.decode()))
        assert CANARY not in messages and CANARY_SEX not in messages
    told = " ".join(f"{n.subject} {n.reference} {n.link}" for n in Notification.objects.all())
    assert told and not any(s in told for s in secrets)
    assert not any(s in every_log.text for s in secrets)
