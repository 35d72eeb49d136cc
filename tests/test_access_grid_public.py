"""The public pages (/missing/) in the access grid: everyone, signed in or
not and whatever their role, gets the same public page, and nothing on it
leads to a staff page. A reporter who opened their report with its PIN
reaches no staff page either."""

import re

import pytest
from django.test import Client

from tests.conftest import PERSONAS, signed_in
from tests.test_tracing_public import _open, _reported, normal

PUBLIC_PAGES = ("/missing/", "/missing/status/")
# Where the public pages may lead: each other, the language switch, static files.
PUBLIC_TARGETS = re.compile(r"^(/missing/(status/)?|/i18n/setlang/|/static/[^\"]+|data:,)$")
STAFF_PAGES = (
    "/",
    "/registry/persons/",
    "/notifications/",
    "/privacy/",
    "/admin/",
    "/tracing/",
)


def _client(world, name):
    return Client() if name == "anonymous" else signed_in(world.user(name))


@pytest.mark.parametrize("name", ["anonymous", *sorted(PERSONAS)])
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_everyone_gets_the_same_public_page(world, desk, name, url):
    anonymous = Client().get(url)
    response = _client(world, name).get(url)
    assert response.status_code == anonymous.status_code == 200
    assert normal(response.content.decode()) == normal(anonymous.content.decode())


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_the_public_pages_lead_to_no_staff_page(world, desk, url):
    html = signed_in(world.user("admin")).get(url).content.decode()
    targets = re.findall(r'(?:href|action|src)="([^"]+)"', html)
    assert targets and all(PUBLIC_TARGETS.match(t) for t in targets), targets


def test_a_reporter_with_an_open_report_reaches_no_staff_page(world, desk):
    client, reference, pin, report = _reported(desk)
    _open(client, reference, pin)
    assert client.get("/missing/status/").status_code == 200
    for url in (
        *STAFF_PAGES,
        f"/tracing/cases/{report.case_id}/",
        f"/api/v1/tracing/cases/{report.case_id}",
    ):
        response = client.get(url)
        assert response.status_code in (302, 401, 404), url
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), url
        assert reference not in response.content.decode()


@pytest.mark.parametrize("name", ["anonymous", "tracer", "admin"])
def test_everyone_reports_the_same_way(world, desk, name):
    from tests.test_tracing_public import codes, form, send

    response = send(_client(world, name), form(desk))
    assert response.status_code == 200 and codes(response)
    from salama.tracing.models import TracingReport

    report = TracingReport.objects.get()
    assert report.channel == "public" and report.created_by is None
