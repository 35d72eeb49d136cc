"""Schemathesis over the whole API, as three identities of different
organisations and roles (PROTECTION.md 26, issue 9 section 3).

EVERY LATER API JOINS THIS RUN: an operation added to /api/v1/ is in the
OpenAPI schema, so it is fuzzed here with the rest; if it needs records to be
meaningful, add them to `fuzz_world`, and if it returns personal records whose
ids this test does not yet recognise, teach `_record_ids` their shape.

It runs through the WSGI application in this process (no network), with a
bounded number of examples per operation and identity, and checks for each
answer: no server error, status code, content type and body as the schema
says, invalid data refused, an answer without the token (or with a wrong one)
refused, and no person or household outside the identity's sites, and no tracing case
outside the identity's organisation."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from salama.core import access as core_access
from salama.core.roles import Perm
from salama.registry.models import Household, Person
from salama.wsgi import application
from tests.conftest import bearer, person_fields, register

# Three organisations, five roles, two camps.
IDENTITIES = ["registrar", "caseworker_hop", "protection_un", "civilregistrar", "psea"]
EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 2}


@pytest.fixture
def wsgi_in_test_transaction(db: Any) -> Iterator[None]:
    """Django's test client keeps the test's transaction open across
    requests by not closing connections at request end; do the same for the
    real WSGI application that schemathesis calls."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(world: Any) -> dict[str, list[str]]:
    """Records at both camps (a survivor among them), so that lists, reads
    and changes meet real ids, in and out of each identity's scope."""
    amc = [
        register(world, world.amc_block),
        register(world, world.amc_block, person_fields(given_name_latin="Salwa", sex="F")),
        register(
            world,
            world.amc_block,
            person_fields(given_name_latin="Huda", sex="F", specific_needs=["SV-VA"]),
        ),
    ]
    hop = [register(world, world.hop_block, person_fields(given_name_latin="Omar"))]
    households = [h for h in amc + hop]
    persons = [p for h in households for p in h.members.all()]
    # A tracing case of the UN agency's desk at Amal (protection_un sees it).
    from salama.tracing.actions import report_take
    from salama.tracing.models import Desk
    from salama.tracing.reports import clean_report

    desk = Desk.objects.create(site=world.amc, organisation=world.un)
    report = {"kind": "missing", "person": {"given_name_latin": "Salwa", "sex": "F"}}
    taken = report_take(user=None, desk=desk, data=clean_report(report), channel="public")
    # An absence alert at each camp: an unaccompanied child missed at one roll call.
    from datetime import date

    from salama.presence.actions import check_record

    child = person_fields(given_name_latin="Sami", birth_date=date(2013, 1, 1))
    for block, site in ((world.amc_block, world.amc), (world.hop_block, world.hop)):
        register(world, block, {**child, "specific_needs": ["SC-UC"]})
        check_record(
            user=world.user("admin"), site=site, kind="roll_call", held_at=None, persons=[]
        )
    # A protection case of the NGO at Amal, referred with consent to a service
    # of the UN agency (protection_un reads the referral, never the case).
    from salama.cases.actions import Consent, Opening, ReferralRequest, case_open, referral_make
    from salama.cases.models import Service
    from salama.privacy.models import SharingAgreement

    SharingAgreement.objects.create(
        from_organisation=world.ngo,
        to_organisation=world.un,
        recipient_kind="organisation",
        purposes=["referral"],
        starts_on=date(2026, 1, 1),
        ends_on=date(2030, 12, 31),
        signatory="Heads of office",
        created_by=world.user("admin"),
    )
    service = Service.objects.create(
        site=world.amc,
        site_path=world.amc.path,
        organisation=world.un,
        name="Counselling",
        service_type="psychosocial",
    )
    protection_case = case_open(
        user=world.user("caseworker"),
        opening=Opening(person=persons[2], case_type="gbv", risk="high", source_kind="direct"),
    )
    referral = referral_make(
        user=world.user("caseworker"),
        case=protection_case,
        request=ReferralRequest(
            service=service,
            consent=Consent(given=True, explained_by="Caseworker", language="ar", share=["name"]),
        ),
    )
    # The service directory at both camps (GET /api/v1/services).
    from salama.cases.directory import service_save

    for site, org in ((world.amc, world.un), (world.hop, world.ngo)):
        service_save(
            user=world.user("admin"),
            site=site,
            data={"name": "Clinic", "service_type": "health", "organisation": org},
        )
    # A registered marriage of the camp office at Amal (GET /api/v1/civil/events/{id}).
    from salama.civil.actions import Declaration, PartyInput, event_declare, event_register

    civil = event_declare(
        user=world.user("civilregistrar"),
        declaration=Declaration(
            event_type="marriage",
            event_date=date(2026, 1, 10),
            place="Court",
            parties=[PartyInput("spouse", persons[0]), PartyInput("spouse", persons[1])],
        ),
    ).event
    assert civil is not None
    event_register(user=world.user("civilregistrar"), event=civil)
    # A complaint of sexual exploitation and abuse received by the UN agency at Amal.
    from salama.complaints.actions import Intake, complaint_receive

    complaint = complaint_receive(
        intake=Intake(
            organisation=world.un,
            site=world.amc,
            language="en",
            relationship="self",
            contact_preference="none",
            consent_assistance="yes",
            consent_identity="no",
            survivor_age="adult",
            survivor_sex="female",
            survivor_disability="no",
            safety_risk="no",
            category="sexual_abuse",
            narrative="Fuzzing world complaint narrative.",
            subject_type="ngo_staff",
            subject_in_contact="unknown",
        ),
        channel="desk",
    ).complaint
    return {
        "complaint_id": [str(complaint.pk)],
        "event_id": [str(civil.pk)],
        "person_id": [str(p.pk) for p in persons],
        "household_id": [str(h.pk) for h in households],
        "case_id": [str(taken.case.pk), str(protection_case.pk)],
        "referral_id": [str(referral.pk)],
        "service_id": [str(service.pk)],
    }


def _record_ids(body: Any) -> Iterator[tuple[str, str]]:
    """("person" | "household", id) for every record in an answer."""
    if isinstance(body, list):
        for item in body:
            yield from _record_ids(item)
    elif isinstance(body, dict):
        if "person_id" in body and "registration_number" in body:  # an absence alert
            yield ("person", str(body["person_id"]))
        elif "id" in body and "registration_number" in body:
            yield ("person" if "household_id" in body else "household", str(body["id"]))
        if body.get("person_id"):  # a tracing candidate
            yield ("person", str(body["person_id"]))
        if "id" in body and "first_action_due" in body and "case_reference" not in body:
            yield ("case", str(body["id"]))
        if "id" in body and "case_type" in body and "closure_reason" in body:
            yield ("protection_case", str(body["id"]))
        if "id" in body and "answer_due" in body:
            yield ("referral", str(body["id"]))
        if "id" in body and ("receipt_code" in body or "investigation_status" in body):
            yield ("complaint", str(body["id"]))
        if "id" in body and "flags" in body and "reference" in body:
            yield ("civil_event", str(body["id"]))
        for value in body.values():
            yield from _record_ids(value)


def _in_scope(user: Any, kind: str, record_id: str) -> bool:
    if kind == "complaint":
        from salama.complaints.access import complaints_for

        return complaints_for(user).filter(pk=record_id).exists()
    if kind == "civil_event":
        from salama.civil.access import events_for

        return events_for(user).filter(pk=record_id).exists()
    if kind in ("protection_case", "referral"):
        from salama.cases import access as cases_access

        if kind == "protection_case":
            return cases_access.cases_for(user).filter(pk=record_id).exists()
        return any(
            q.filter(pk=record_id).exists()
            for q in (cases_access.incoming_for(user), cases_access.outgoing_for(user))
        )
    if kind == "case":
        from salama.tracing.access import cases_for

        return cases_for(user).filter(pk=record_id).exists()
    if kind == "person":
        perm, found = Perm.PERSON_VIEW, Person.objects.filter(pk=record_id).first()
    else:
        perm, found = Perm.HOUSEHOLD_VIEW, Household.objects.filter(pk=record_id).first()
    paths = core_access.site_paths(user, perm)
    return found is not None and any(found.site_path.startswith(p) for p in paths)


CURRENT: dict[str, Any] = {}


@schemathesis.check
def records_in_scope(ctx: Any, response: Any, case: Any) -> bool | None:
    """No person or household outside the identity's sites in any answer."""
    if response.status_code >= 300 or "json" not in response.headers.get("content-type", [""])[0]:
        return None
    outside = [
        (kind, rid)
        for kind, rid in _record_ids(response.json())
        if not _in_scope(CURRENT["user"], kind, rid)
    ]
    if outside:
        raise AssertionError(f"records outside {CURRENT['user'].username}'s scope: {outside}")
    return True


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
    records_in_scope,
]


@pytest.mark.parametrize("identity", IDENTITIES)
def test_the_api_holds_up_under_schemathesis(identity, world, fuzz_world, wsgi_in_test_transaction):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    user = world.user(identity)
    CURRENT["user"] = user
    auth = {"Authorization": bearer(user)["HTTP_AUTHORIZATION"]}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        for mode, examples in EXAMPLES.items():
            _fuzz(operation, mode, examples, auth, fuzz_world)


def _fuzz(operation: Any, mode: Any, examples: int, auth: dict[str, str], known: Any) -> None:
    names = [p.name for p in operation.path_parameters]
    real_ids = st.fixed_dictionaries(
        {name: st.none() | st.sampled_from(known.get(name, [None])) for name in names}
    )

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), ids=real_ids)
    def run(case: Any, ids: dict[str, str | None]) -> None:
        for name, value in ids.items():
            if value is not None and mode == GenerationMode.POSITIVE:
                case.path_parameters[name] = value  # a real record, in scope or not
        case.call_and_validate(headers=auth, checks=CHECKS)

    run()


def test_the_scope_check_sees_a_record_outside_the_identitys_sites(world, fuzz_world):
    registrar = world.user("registrar")
    at_hope = Person.objects.filter(site_path__startswith=world.hop.path).first()
    at_amal = Person.objects.filter(site_path__startswith=world.amc.path).first()
    assert not _in_scope(registrar, "person", str(at_hope.pk))
    assert _in_scope(registrar, "person", str(at_amal.pk))
    assert not _in_scope(registrar, "household", str(at_hope.household_id))
    answer = {"items": [{"id": "p", "registration_number": "r", "household_id": "h"}]}
    household = {"id": "h", "registration_number": "r", "members": []}
    assert list(_record_ids(answer)) == [("person", "p")]
    assert list(_record_ids([household])) == [("household", "h")]
