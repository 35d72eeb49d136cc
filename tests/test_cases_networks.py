"""Alleged exploiters on protection cases and the networks they reveal:
recording (bad input writes nothing, never the victim as offender), links by
phone, vehicle and name across cases of one organisation only, and the
clusters page (protection officers only, no victim's identity)."""

import itertools
import logging
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from salama.audit.models import AuditEntry
from salama.cases import networks
from salama.cases.models import AllegedExploiter, CaseEvent, ProtectionCase
from tests.conftest import person_fields, register, signed_in

_numbers = itertools.count(1)


def open_case(world, organisation=None, block=None, given="Amina", family="Yousif", **fields):
    block = block or world.amc_block
    person = register(
        world,
        block,
        person_fields(
            given_name="أمينة",
            family_name="يوسف",
            father_name="",
            given_name_latin=given,
            father_name_latin="",
            family_name_latin=family,
            sex="F",
        ),
    ).members.get()
    return ProtectionCase.objects.create(
        reference=f"PC-{next(_numbers):05d}",
        person=person,
        site=block,
        site_path=block.path,
        organisation=organisation or world.ngo,
        case_type="trafficking",
        source_kind="direct",
        opened_at=timezone.now() - timedelta(days=1),
        consent_by="adult",
        **fields,
    )


def record(world, case, user="caseworker", **data):
    data.setdefault("part", "recruiter")
    return networks.exploiter_record(user=world.user(user), case=case, data=data)


# ---- Recording ----


def test_an_exploiter_is_recorded_encrypted_with_digests_an_event_and_an_audit_entry(world):
    case = open_case(world)
    exploiter = record(
        world,
        case,
        names=["Abu Karim", "أبو كريم"],
        phones=["+249 912 345 678"],
        vehicles=["KH 1234 AB"],
        places=["Market road checkpoint"],
        affiliation="Rapid unit 7",
        description="Drives a white pickup",
    )
    exploiter.refresh_from_db()
    assert exploiter.organisation == world.ngo
    assert exploiter.names == ["Abu Karim", "أبو كريم"]
    assert exploiter.phone_keys == [networks.digest("phone", "912345678")]
    assert exploiter.vehicle_keys == [networks.digest("vehicle", "KH1234AB")]
    # The digests are keyed: not the bare hash of the number.
    assert "912345678" not in exploiter.phone_keys[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT names, phones, affiliation FROM cases_allegedexploiter WHERE id = %s",
            [exploiter.pk],
        )
        raw = " ".join(str(v) for v in cursor.fetchone())
    assert "Karim" not in raw and "912" not in raw and "Rapid" not in raw
    event = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.EXPLOITER)
    assert "Karim" not in event.note and "كريم" not in event.note
    entry = AuditEntry.objects.get(model="cases.AllegedExploiter", action="create")
    assert entry.record_id == str(exploiter.pk) and entry.purpose == "protection"


def test_one_number_written_two_ways_has_one_digest(world):
    case = open_case(world)
    exploiter = record(world, case, phones=["0912345678", "00249 912 345 678"])
    assert len(exploiter.phone_keys) == 1 and len(exploiter.phones) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "at least one detail"),
        ({"names": ["", "  "], "phones": []}, "at least one detail"),
        ({"phones": ["call him"]}, "Phone 1 is not a number"),
        ({"names": ["Abu Karim"], "phones": ["0912345678", "12"]}, "Phone 2 is not a number"),
        ({"vehicles": ["--"]}, "Vehicle 1 has no letters"),
        ({"part": "victim", "names": ["Abu Karim"]}, "part the person played"),
        ({"names": [f"Name {i}" for i in range(11)]}, "At most 10"),
        # Resolution 2388, para 17: the person is never the offender.
        ({"names": ["Amina Yousif"]}, "never recorded as an offender"),
        ({"names": ["أمينة يوسف"]}, "never recorded as an offender"),
    ],
)
def test_bad_input_is_refused_by_name_and_writes_nothing(world, data, message):
    case = open_case(world)
    before = AuditEntry.objects.count()
    with pytest.raises(networks.ExploiterError, match=message) as raised:
        record(world, case, **data)
    assert "0912345678" not in str(raised.value)  # never quotes what was entered
    assert not AllegedExploiter.objects.exists()
    assert not CaseEvent.objects.filter(kind=CaseEvent.Kind.EXPLOITER).exists()
    assert AuditEntry.objects.count() == before


def test_a_relative_sharing_the_family_name_may_be_recorded(world):
    # Trafficked by her uncle: a different given name is a different person.
    case = open_case(world)
    assert record(world, case, names=["Omar Yousif"]).pk


def test_a_closed_case_takes_no_new_exploiter(world):
    case = open_case(world, status="closed")
    with pytest.raises(networks.ExploiterError, match="closed"):
        record(world, case, names=["Abu Karim"])
    assert not AllegedExploiter.objects.exists()


def test_removing_a_record_is_journalled_and_audited(world):
    case = open_case(world)
    exploiter = record(world, case, names=["Abu Karim"])
    networks.exploiter_remove(user=world.user("caseworker"), exploiter=exploiter)
    assert not AllegedExploiter.objects.exists()
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.EXPLOITER).count() == 2
    assert AuditEntry.objects.filter(model="cases.AllegedExploiter", action="delete").exists()


# ---- Links and clusters ----


def clusters(world, user="protection"):
    return networks.clusters_for(world.user(user))


def references(found):
    return [sorted(m.case.reference for m in c.cases) for c in found]


def test_cases_link_by_phone_vehicle_and_name(world):
    a, b, c, d = (open_case(world) for _ in range(4))
    record(world, a, names=["Abu Karim"], phones=["+249 912 345 678"])
    record(world, b, names=["Jamal Taha"], phones=["0912345678"])
    record(world, c, vehicles=["kh-1234-ab"])
    record(world, d, names=["أبو كريم"], vehicles=["KH 1234 AB"])
    (cluster,) = clusters(world)
    assert sorted(m.case.reference for m in cluster.cases) == sorted(
        x.reference for x in (a, b, c, d)
    )
    kinds = {(link.kind, frozenset((link.left.pk, link.right.pk))) for link in cluster.links}
    assert kinds == {
        ("phone", frozenset((a.pk, b.pk))),
        ("vehicle", frozenset((c.pk, d.pk))),
        ("name", frozenset((a.pk, d.pk))),
    }


def test_unlike_names_and_lone_given_names_do_not_link(world):
    a, b, c = (open_case(world) for _ in range(3))
    record(world, a, names=["Ahmed"])
    record(world, b, names=["Ahmed Hassan"])
    record(world, c, names=["Ahmed Hussein"])
    assert clusters(world) == []


def test_another_organisations_cases_never_join_a_cluster(world):
    ours, theirs = open_case(world), open_case(world, organisation=world.un)
    record(world, ours, phones=["0912345678"], names=["Abu Karim"])
    record(world, theirs, user="caseworker_un", phones=["0912345678"], names=["Abu Karim"])
    assert clusters(world, "protection") == []
    assert clusters(world, "protection_un") == []
    # Each organisation sees its own links only.
    ours2 = open_case(world)
    record(world, ours2, phones=["912 345 678"])
    assert references(clusters(world, "protection")) == [sorted([ours.reference, ours2.reference])]
    assert clusters(world, "protection_un") == []


def test_a_protection_officer_sees_only_the_cases_at_their_sites(world):
    amc, hop = open_case(world), open_case(world, block=world.hop_block)
    record(world, amc, phones=["0912345678"])
    record(world, hop, user="caseworker_hop", phones=["0912345678"])
    assert clusters(world, "protection") == []  # Amal only: no second case
    assert references(clusters(world, "admin_hop")) == []  # Hope only


def test_reading_clusters_is_audited_by_reference(world):
    a, b = open_case(world), open_case(world)
    first = record(world, a, phones=["0912345678"])
    second = record(world, b, phones=["0912345678"])
    clusters(world)
    shown = AuditEntry.objects.get(model="cases.AllegedExploiter", action="list")
    assert sorted(shown.record_ids) == sorted([str(first.pk), str(second.pk)])
    cases = AuditEntry.objects.get(model="cases.ProtectionCase", action="list")
    assert sorted(cases.record_ids) == sorted([str(a.pk), str(b.pk)])


# ---- Pages ----


def test_the_clusters_page_explains_links_and_never_shows_victims(world):
    a = open_case(world, given="Fatima", family="Zakaria")
    b = open_case(world, given="Halima", family="Osman")
    record(world, a, names=["Abu Karim"], phones=["0912345678"])
    record(world, b, names=["أبو كريم"], places=["Old bus station"])
    response = signed_in(world.user("protection")).get("/cases/networks/")
    assert response.status_code == 200
    page = response.content.decode()
    assert a.reference in page and b.reference in page
    assert f'href="/cases/{a.pk}/"' in page
    assert "Abu Karim" in page and "أبو كريم" in page and "Old bus station" in page
    assert "match (1.00)" in page
    for victim in ("Fatima", "Zakaria", "Halima", "Osman", "أمينة", "يوسف"):
        assert victim not in page
    assert a.person.registration_number not in page
    # No export: no link to an export, a download or a file.
    assert "/export" not in page and "download" not in page.lower() and ".csv" not in page


def test_a_caseworker_without_network_view_gets_404_on_the_clusters_page(world):
    assert signed_in(world.user("caseworker")).get("/cases/networks/").status_code == 404


def test_the_form_records_an_exploiter_and_goes_back_to_the_case(world):
    case = open_case(world)
    response = signed_in(world.user("caseworker")).post(
        f"/cases/networks/case/{case.pk}/add/",
        {
            "part": "transporter",
            "names": "Abu Karim\r\nأبو كريم\r\n",
            "phones": "0912345678",
            "vehicles": "",
            "places": "",
            "affiliation": "",
            "description": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#exploiters")
    assert str(case.pk) in response["Location"]
    exploiter = AllegedExploiter.objects.get()
    assert exploiter.part == "transporter" and exploiter.names == ["Abu Karim", "أبو كريم"]


def test_the_form_shows_the_error_and_writes_nothing(world):
    case = open_case(world)
    response = signed_in(world.user("caseworker")).post(
        f"/cases/networks/case/{case.pk}/add/", {"part": "recruiter", "phones": "call him"}
    )
    assert response.status_code == 422
    assert "Phone 1 is not a number" in response.content.decode()
    assert not AllegedExploiter.objects.exists()


def test_the_case_part_lists_exploiters_with_the_form_and_remove_buttons(world):
    case = open_case(world)
    exploiter = record(world, case, names=["Abu Karim"], affiliation="Contingent 3")
    client = signed_in(world.user("caseworker"))
    page = client.get(f"/cases/networks/case/{case.pk}/").content.decode()
    assert "Abu Karim" in page and "Contingent 3" in page
    assert f'action="/cases/networks/case/{case.pk}/add/"' in page
    assert "armed group unit, peacekeeping contingent or mission" in page
    assert f'action="/cases/networks/case/{case.pk}/remove/{exploiter.pk}/"' in page
    response = client.post(f"/cases/networks/case/{case.pk}/remove/{exploiter.pk}/")
    assert response.status_code == 302 and not AllegedExploiter.objects.exists()


def test_the_partial_renders_with_the_case_pages_context_only(world, rf):
    from django.template.loader import render_to_string

    case = open_case(world)
    record(world, case, names=["Abu Karim"])
    request = rf.get("/")
    request.user = world.user("caseworker")
    html = render_to_string(
        "cases/networks/_exploiters.html",
        {"case": case, "exploiters": list(networks.exploiters_of(case)), "can_work": True},
        request=request,
    )
    assert "Abu Karim" in html and 'name="names"' in html and "csrfmiddlewaretoken" in html
    readonly = render_to_string(
        "cases/networks/_exploiters.html",
        {"case": case, "exploiters": list(networks.exploiters_of(case)), "can_work": False},
    )
    assert "Abu Karim" in readonly and "<form" not in readonly


def test_a_record_of_another_case_cannot_be_removed_through_this_one(world):
    mine, other = open_case(world), open_case(world)
    theirs = record(world, other, names=["Abu Karim"])
    response = signed_in(world.user("caseworker")).post(
        f"/cases/networks/case/{mine.pk}/remove/{theirs.pk}/"
    )
    assert response.status_code == 404 and AllegedExploiter.objects.filter(pk=theirs.pk).exists()


@pytest.fixture
def every_log(caplog):
    """As in tests/test_canaries.py: django.request does not propagate to root."""
    request_logger = logging.getLogger("django.request")
    request_logger.addHandler(caplog.handler)
    with caplog.at_level(logging.DEBUG):
        yield caplog
    request_logger.removeHandler(caplog.handler)


def test_no_canary_in_the_logs_urls_or_error_messages_of_the_network_pages(world, every_log):
    canary, canary_phone = "Zqvcanaryname", "Zqvcanary 12"
    case = open_case(world)
    client = signed_in(world.user("protection"))
    posts = [
        {"part": "recruiter", "names": f"{canary} Barakat", "phones": canary_phone},
        {"part": canary, "names": canary},
        {"part": "recruiter", "vehicles": "--", "description": canary},
        {"part": "recruiter", "names": f"{canary} Barakat", "vehicles": f"{canary}-7"},
    ]
    responses = [client.post(f"/cases/networks/case/{case.pk}/add/", data) for data in posts]
    responses.append(client.get("/cases/networks/"))
    assert [r.status_code for r in responses] == [422, 422, 422, 302, 200]
    pages = "".join(r.content.decode() for r in responses)
    links = re.findall(r'(?:href|action|hx-get|hx-post|src)="([^"]+)"', pages)
    assert links and not any(canary in link.lower() for link in links)
    assert not any(canary in r.get("Location", "") for r in responses)
    for refused in responses[:3]:
        error = re.search(r'<p class="error" role="alert">([^<]*)</p>', refused.content.decode())
        assert error and canary not in error.group(1)
    assert canary not in every_log.text
