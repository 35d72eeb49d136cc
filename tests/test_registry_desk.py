"""The registration desk: a household and its members in one submission,
all or nothing; edits keep history; deletion asks for confirmation."""

from salama.audit.models import AuditEntry
from salama.registry.models import Household, LegalBasis, Person
from tests.conftest import signed_in


def desk_post(world, members, **extra):
    data = {
        "site": world.amc_block.pk,
        "shelter": "B-17",
        "m-TOTAL_FORMS": str(len(members)),
        "m-INITIAL_FORMS": "0",
        "m-MIN_NUM_FORMS": "1",
        "m-MAX_NUM_FORMS": "40",
        "basis_registration": "public_interest",
        "basis_protection": "vital_interest",
        "basis_sharing": "",
    }
    for i, member in enumerate(members):
        data.update({f"m-{i}-{k}": v for k, v in member.items()})
    data.update(extra)
    return data


HEAD = {
    "given_name": "فاطمة",
    "family_name": "الخطيب",
    "given_name_latin": "Fatima",
    "family_name_latin": "Al-Khatib",
    "sex": "F",
    "relationship": "head",
    "stated_age": "34",
    "nationality": "SY",
    "specific_needs": ["WR-SF"],
}
CHILD = {
    "given_name_latin": "Nour",
    "family_name_latin": "Al-Khatib",
    "sex": "F",
    "relationship": "child",
    "birth_date": "2019-04-02",
}


def test_register_a_household_with_members(world):
    client = signed_in(world.user("registrar"))
    response = client.post("/registry/households/new/", desk_post(world, [HEAD, CHILD]))
    assert response.status_code == 302
    household = Household.objects.get()
    assert household.shelter == "B-17" and household.registered_by == world.cma
    head = Person.objects.get(relationship="head")
    assert head.specific_needs == ["WR-SF"]
    assert head.household == household
    # an age stated today becomes a two-year range of birth years
    assert head.birth_year_max - head.birth_year_min == 1
    assert Person.objects.get(relationship="child").birth_year_min == 2019
    bases = dict(LegalBasis.objects.filter(person=head).values_list("purpose", "basis"))
    assert bases == {"registration": "public_interest", "protection": "vital_interest"}
    assert AuditEntry.objects.filter(action="create", model="registry.Person").count() == 2


def test_one_bad_member_saves_nothing_and_names_the_field(world):
    client = signed_in(world.user("registrar"))
    bad_child = {**CHILD, "birth_date": "2999-01-01"}
    response = client.post("/registry/households/new/", desk_post(world, [HEAD, bad_child]))
    assert response.status_code == 400
    assert "The date of birth is in the future." in response.content.decode()
    assert 'id="id_m-1-birth_date_error"' in response.content.decode()
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_a_person_needs_a_name(world):
    client = signed_in(world.user("registrar"))
    response = client.post(
        "/registry/households/new/", desk_post(world, [{"sex": "M", "relationship": "head"}])
    )
    assert response.status_code == 400
    assert "Enter at least one name" in response.content.decode()
    assert Person.objects.count() == 0


def test_registration_needs_a_legal_basis(world):
    client = signed_in(world.user("registrar"))
    response = client.post(
        "/registry/households/new/", desk_post(world, [HEAD], basis_registration="")
    )
    assert response.status_code == 400
    assert Household.objects.count() == 0


def test_cannot_register_into_another_site(world):
    client = signed_in(world.user("registrar"))
    response = client.post(
        "/registry/households/new/", desk_post(world, [HEAD], site=world.hop_block.pk)
    )
    assert response.status_code == 400
    assert Household.objects.count() == 0


def test_roles_without_registration_cannot_open_the_desk(world):
    for name in ("caseworker", "tracer", "analyst", "psea"):
        assert signed_in(world.user(name)).get("/registry/households/new/").status_code == 404


def test_member_form_partial_has_the_requested_index(world):
    response = signed_in(world.user("registrar")).get("/registry/households/new/member/?index=3")
    assert 'name="m-3-given_name"' in response.content.decode()


def test_edit_keeps_history_and_audits_changed_fields(world, amc_person):
    client = signed_in(world.user("registrar"))
    form = client.get(f"/registry/persons/{amc_person.pk}/edit/").context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update(phone="+962791234567", languages="ar, en", birth_date="1985-03-01")
    data = {k: v for k, v in data.items() if k not in {"specific_needs"}}
    response = client.post(f"/registry/persons/{amc_person.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    amc_person.refresh_from_db()
    assert amc_person.phone == "+962791234567" and amc_person.languages == ["ar", "en"]
    revision = amc_person.revisions.get()
    assert sorted(revision.changed_fields) == ["languages", "phone"]
    assert revision.before["phone"] == ""
    entry = AuditEntry.objects.filter(action="change").latest("id")
    assert sorted(entry.changed_fields) == ["languages", "phone"]
    page = client.get(f"/registry/persons/{amc_person.pk}/").content.decode()
    assert "languages, phone" in page


def test_delete_asks_for_the_registration_number(world, amc_person):
    client = signed_in(world.user("admin"))
    assert client.get(f"/registry/persons/{amc_person.pk}/delete/").status_code == 200
    client.post(f"/registry/persons/{amc_person.pk}/delete/", {"confirm": "wrong"})
    assert Person.objects.filter(pk=amc_person.pk).exists()
    client.post(
        f"/registry/persons/{amc_person.pk}/delete/", {"confirm": amc_person.registration_number}
    )
    assert not Person.objects.filter(pk=amc_person.pk).exists()
    assert AuditEntry.objects.filter(action="delete", record_id=str(amc_person.pk)).exists()


def test_registrars_cannot_delete(world, amc_person):
    client = signed_in(world.user("registrar"))
    assert client.get(f"/registry/persons/{amc_person.pk}/delete/").status_code == 404


def test_search_is_posted_and_scoped(world, amc_person, hop_person):
    client = signed_in(world.user("admin_hop"))
    response = client.post("/registry/persons/search/", {"q": "Al-Hassan"}, HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert hop_person.registration_number in text
    assert amc_person.registration_number not in text
    assert "<html" not in text  # an htmx partial
    arabic = signed_in(world.user("admin")).post("/registry/persons/search/", {"q": "الحسن"})
    assert amc_person.registration_number in arabic.content.decode()


def test_list_is_paginated(world):
    from tests.conftest import person_fields, register

    register(
        world,
        world.amc_block,
        *[person_fields(given_name_latin=f"P{i}", relationship="child") for i in range(30)],
    )
    client = signed_in(world.user("registrar"))
    first = client.get("/registry/persons/")
    assert first.context["page"].paginator.num_pages == 2
    assert len(first.context["page"].object_list) == 25
    assert "Page 1 of 2" in first.content.decode()


def test_add_a_member_to_an_existing_household(world, amc_person):
    client = signed_in(world.user("registrar"))
    url = f"/registry/households/{amc_person.household_id}/add/"
    assert (
        "Add a member"
        in client.get(f"/registry/households/{amc_person.household_id}/").content.decode()
    )
    bad = client.post(
        url, {"sex": "F", "relationship": "child", "basis_registration": "public_interest"}
    )
    assert bad.status_code == 400 and Person.objects.count() == 1
    response = client.post(
        url,
        {
            "given_name_latin": "Newborn",
            "sex": "F",
            "relationship": "child",
            "birth_date": "2026-01-02",
            "basis_registration": "public_interest",
        },
    )
    assert response.status_code == 302
    child = Person.objects.get(given_name_latin="Newborn")
    assert child.household_id == amc_person.household_id and child.site_path == amc_person.site_path
    assert AuditEntry.objects.filter(action="create", record_id=str(child.pk)).exists()


def test_only_writers_in_scope_add_members(world, amc_person):
    url = f"/registry/households/{amc_person.household_id}/add/"
    for name in ("caseworker", "registrar_hop", "tracer"):
        assert signed_in(world.user(name)).get(url).status_code == 404
