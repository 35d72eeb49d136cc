"""Issue 9, section 3: input that crashed the server (500) gets a clear 4xx
naming the problem and changes nothing (PROTECTION.md 26)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salama.audit.models import AuditEntry
from salama.lib.linkage.records import COLUMNS, RowError, invalid_columns, prepare
from salama.registry.actions import PersonDeleteRefused, duplicate_merge, person_delete
from salama.registry.models import DuplicateCandidate, Person
from salama.screening.actions import field_credential_set
from salama.screening.field_forms import field_forms
from salama.screening.models import Submission
from tests.conftest import bearer, person_fields, register, signed_in
from tests.openrosa_util import call, filled_instance


def post(client, url, body, **headers):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_an_unknown_sex_in_the_match_api_is_a_422_naming_the_field(world, amc_person):
    client = Client()
    auth = bearer(world.user("registrar"))
    before = AuditEntry.objects.count()
    response = post(client, "/api/v1/persons/match", {"full_name": "Ali", "sex": "Q"}, **auth)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["sex"]
    assert AuditEntry.objects.count() == before


def test_an_unknown_sex_at_the_desk_is_a_400_naming_the_field(world, amc_person):
    client = signed_in(world.user("registrar"))
    before = AuditEntry.objects.count()
    response = client.post(
        "/registry/match/0/", {"m-0-given_name_latin": "Mohammed", "m-0-sex": "Q"}
    )
    assert response.status_code == 400
    assert "sex" in response.content.decode().lower()
    bad_date = client.post(
        "/registry/match/0/", {"m-0-given_name_latin": "Mohammed", "m-0-birth_date": "1985-02-31"}
    )
    assert bad_date.status_code == 400 and "birth" in bad_date.content.decode().lower()
    assert AuditEntry.objects.count() == before


NO_LETTERS = ["-", "123", "  ", "؟", "- ؟ 12"]


@pytest.mark.parametrize("name", NO_LETTERS)
def test_a_name_without_letters_in_the_match_api_is_a_422(world, amc_person, name):
    auth = bearer(world.user("registrar"))
    response = post(Client(), "/api/v1/persons/match", {"full_name": name}, **auth)
    assert response.status_code == 422
    assert "letters" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("name", ["-", "؟", "- ؟", "-- ؟ !"])
def test_a_name_without_letters_on_the_find_page_is_a_form_error(world, amc_person, name):
    client = signed_in(world.user("registrar"))
    for url, field in (
        ("/registry/persons/find/", "full_name"),
        ("/registry/persons/search/", "q"),
    ):
        response = client.post(url, {field: name, "mode": "fuzzy"})
        assert response.status_code == 400, url
        assert "letters" in response.content.decode()


def test_a_number_on_the_find_page_is_looked_up_as_a_number(world, amc_person):
    client = signed_in(world.user("registrar"))
    response = client.post("/registry/persons/find/", {"full_name": "123"})
    assert response.status_code == 200
    number = client.post("/registry/persons/find/", {"full_name": amc_person.registration_number})
    assert number.status_code == 200 and str(amc_person.pk) in number.content.decode()


text = st.text(max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    row=st.fixed_dictionaries(
        {},
        optional={
            k: text
            for k in ("full_name", "given_name", "father_name", "grandfather_name", "family_name")
        },
    )
)
def test_the_linkage_library_prepares_any_names(row):
    """The library is total over names: any text is a name or no name."""
    from salama.lib.linkage.records import has_name

    prepared, vocab = prepare([{**row, "id": "q"}])
    assert len(prepared) == 1
    assert has_name(row) == bool(prepared.names.any())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=st.fixed_dictionaries({}, optional={c: text for c in COLUMNS if c != "id"}))
def test_the_linkage_library_takes_any_row_or_names_the_column(row):
    """Any text in any column: prepared, or a RowError naming a column that
    invalid_columns() named beforehand (it is stricter: it also names columns
    prepare() would ignore), so that callers can refuse the row first."""
    try:
        prepare([{**row, "id": "q"}])
    except RowError as error:
        assert error.column in invalid_columns(row)


def test_sending_a_search_body_that_is_not_an_object_is_a_422(world):
    auth = bearer(world.user("registrar"))
    for body in ("null", '"Ali"', "[]", "12", "not json"):
        response = Client().post(
            "/api/v1/persons/search", data=body, content_type="application/json", **auth
        )
        assert response.status_code in (400, 422), body
        assert response.json()["code"] in ("invalid", "bad_request"), body
        assert response.json()["message"]


def test_a_name_on_the_person_list_url_is_refused(world, amc_person):
    auth = bearer(world.user("registrar"))
    response = Client().get("/api/v1/persons?q=Mohammed", **auth)
    assert response.status_code == 400
    assert "/persons/search" in response.json()["message"]
    assert Client().get("/api/v1/persons?page_size=5", **auth).status_code == 200


def test_the_schema_states_constraints_and_error_answers():
    schema = Client().get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    assert components["MatchIn"]["properties"]["sex"]["enum"] == ["", "F", "M", "X", "U"]
    assert "anyOf" in components["MatchIn"] or "letters" in json.dumps(components["MatchIn"])
    assert components["PersonIn"]["properties"]["given_name"]["maxLength"] == 80
    assert components["PersonIn"]["properties"]["sex"]["enum"] == ["F", "M", "X", "U"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answers = set(operation["responses"])
            assert {"400", "401", "404", "422"} <= answers, (method, path, answers)
    assert "q" not in [
        p["name"] for p in schema["paths"]["/api/v1/persons"]["get"].get("parameters", [])
    ]


def test_deleting_a_person_others_were_merged_into_is_refused_without_personal_data(world, caplog):
    keep = register(world, world.amc_block).members.get()
    other = register(world, world.amc_block).members.get()
    candidate = DuplicateCandidate.objects.create(keep=keep, other=other, probability=0.99)
    duplicate_merge(user=world.user("admin"), candidate=candidate, keep=keep)
    with pytest.raises(PersonDeleteRefused):
        person_delete(user=world.user("admin"), person=keep)
    client = signed_in(world.user("admin"))
    with caplog.at_level("DEBUG"):
        response = client.post(
            f"/registry/persons/{keep.pk}/delete/", {"confirm": keep.registration_number}
        )
    assert response.status_code == 400
    assert "merged into this one" in response.content.decode()
    assert Person.objects.filter(pk=keep.pk).exists() and Person.objects.filter(pk=other.pk)
    assert keep.registration_number not in caplog.text
    # The merged-in record itself can be deleted, and then the one it was merged into.
    person_delete(user=world.user("admin"), person=Person.objects.get(pk=other.pk))
    person_delete(user=world.user("admin"), person=Person.objects.get(pk=keep.pk))
    assert not Person.objects.filter(pk__in=[keep.pk, other.pk]).exists()


FIELD_PASSWORD = "field devices only 4821"


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "UTF-16", "windows-1252", "UTF-8"])
def test_an_openrosa_submission_is_decoded_by_its_xml_declaration(client, world, encoding):
    field_credential_set(user=world.user("caseworker"), password=FIELD_PASSWORD)
    person = register(world, world.amc_block, person_fields(given_name_latin="Zoé")).members.get()
    form = field_forms()["ilo-forced-labour-11"]
    values = {"registry_id": person.registration_number, "profile": "adult", "deception": "yes"}
    text = filled_instance(form.xml, values).decode()
    text = text.replace("<deception>", "<note>Café Zoé</note><deception>")
    body = f'<?xml version="1.0" encoding="{encoding}"?>\n{text}'.encode(encoding)
    parts = {"xml_submission_file": SimpleUploadedFile("s.xml", body, "text/xml")}
    response = call(
        client, "POST", "/openrosa/submission", "caseworker", FIELD_PASSWORD, data=parts
    )
    assert response.status_code == 201, response.content
    submission = Submission.objects.get()
    assert "Café Zoé" in submission.xml and submission.status == "scored"


@pytest.mark.parametrize(
    "body",
    [
        b'<?xml version="1.0" encoding="UTF-8"?><data id="x">\xff\xfe\xe9</data>',
        b'<?xml version="1.0" encoding="no-such-encoding"?><data id="x"/>',
        '<?xml version="1.0" encoding="UTF-16"?><data id="x">é</data>'.encode("utf-16")[:-3],
    ],
)
def test_an_undecodable_openrosa_submission_is_a_400(client, world, body):
    field_credential_set(user=world.user("caseworker"), password=FIELD_PASSWORD)
    parts = {"xml_submission_file": SimpleUploadedFile("s.xml", body, "text/xml")}
    response = call(
        client, "POST", "/openrosa/submission", "caseworker", FIELD_PASSWORD, data=parts
    )
    assert response.status_code == 400 and b"OpenRosaResponse" in response.content
    assert not Submission.objects.exists()


def test_a_submission_sent_as_a_form_field_is_read_as_the_text_it_is(client, world):
    """A form field is already text: an ISO-8859-1 declaration in it no
    longer says how to read bytes (it was read as UTF-8 bytes and garbled)."""
    field_credential_set(user=world.user("caseworker"), password=FIELD_PASSWORD)
    person = register(world, world.amc_block).members.get()
    form = field_forms()["ilo-forced-labour-11"]
    values = {"registry_id": person.registration_number, "profile": "adult", "deception": "no"}
    text = filled_instance(form.xml, values).decode()
    text = text.replace("<deception>", "<n>Zoé</n><deception>")
    data = {"xml_submission_file": f'<?xml version="1.0" encoding="ISO-8859-1"?>\n{text}'}
    response = call(client, "POST", "/openrosa/submission", "caseworker", FIELD_PASSWORD, data=data)
    assert response.status_code == 201, response.content
    stored = Submission.objects.get().xml
    assert "<n>Zoé</n>" in stored and 'encoding="UTF-8"' in stored


any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=20)
PAGES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@PAGES
@given(
    fields=st.fixed_dictionaries(
        {"given_name_latin": any_text},
        optional={
            k: any_text
            for k in ("family_name", "sex", "birth_date", "stated_age", "phone", "origin_place")
        },
    )
)
def test_the_desk_look_up_answers_any_input_with_matches_or_a_400(world, amc_person, fields):
    client = signed_in(world.user("registrar"))
    response = client.post("/registry/match/0/", {f"m-0-{k}": v for k, v in fields.items()})
    assert response.status_code in (200, 400)


@PAGES
@given(
    data=st.fixed_dictionaries(
        {"q": any_text},
        optional={
            "mode": st.sampled_from(["fuzzy", "exact", "", "x"]),
            "sex": any_text,
            "birth_year": any_text,
            "age": any_text,
        },
    )
)
def test_the_person_search_answers_any_input_with_a_page_or_a_form_error(world, amc_person, data):
    client = signed_in(world.user("registrar"))
    response = client.post("/registry/persons/find/", data)
    assert response.status_code in (200, 400)


def test_a_person_needs_a_name_with_letters_to_be_registered(world):
    auth = bearer(world.user("registrar"))
    body = {"site_code": "AMC-Z1A", "members": [{"given_name_latin": "-", "sex": "F"}]}
    response = post(Client(), "/api/v1/households", body, **auth)
    assert response.status_code == 422 and not Person.objects.exists()
