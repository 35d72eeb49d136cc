"""Civil registration: the lifecycle, numbers made by the server, births and
deaths in the registry, child marriage stopped at the desk with its
child-protection case, protection flags, corrections with history, and bad
input that writes nothing."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from salama.cases.models import PlanItem, ProtectionCase, Referral
from salama.civil import actions
from salama.civil.actions import CivilError, Declaration, PartyInput
from salama.civil.models import Action, CivilEvent, Flag, NumberSequence, Status, StoppedMarriage
from salama.notifications.models import Notification
from salama.registry.models import Person
from tests.conftest import person_fields, register

TODAY = timezone.localdate()


def years_ago(years: int, days: int = 0) -> date:
    return TODAY.replace(year=TODAY.year - years) - timedelta(days=days)


def girl(world: Any, **fields: Any) -> Person:
    base = {"given_name": "نور", "given_name_latin": "Nour", "sex": "F"}
    base.update(fields)
    return register(world, world.amc_block, person_fields(**base)).members.get()


def marriage(bride: Person, groom: Person, **extra: Any) -> Declaration:
    return Declaration(
        event_type="marriage",
        event_date=TODAY,
        place="Sharia court, Amal",
        officiant_kind="religious_court",
        officiant_name="Judge of the Amal court",
        parties=[
            PartyInput("spouse", bride),
            PartyInput("spouse", groom),
            PartyInput("witness", None, "Ali Hassan"),
            PartyInput("witness", None, "Omar Said"),
        ],
        **extra,
    )


def birth(mother: Person, **details: Any) -> Declaration:
    return Declaration(
        event_type="birth",
        event_date=TODAY - timedelta(days=3),
        place="Amal clinic",
        officiant_kind="health_facility",
        parties=[PartyInput("mother", mother), PartyInput("informant", None, "Fatima (aunt)")],
        details={
            "child_given_name": "ليلى",
            "child_given_name_latin": "Layla",
            "child_sex": "F",
            **details,
        },
    )


def declare(world: Any, declaration: Declaration) -> actions.Declared:
    return actions.event_declare(user=world.user("civilregistrar"), declaration=declaration)


def registered(world: Any, declaration: Declaration) -> CivilEvent:
    event = declare(world, declaration).event
    assert event is not None
    return actions.event_register(user=world.user("civilregistrar"), event=event)


# ---- the lifecycle and numbers ----


def test_a_declaration_is_registered_with_a_number_the_server_makes(world, couple):
    event = declare(world, marriage(*couple)).event
    assert event.status == Status.DECLARED and event.number is None
    event = actions.event_validate(user=world.user("civilregistrar"), event=event)
    event = actions.event_register(user=world.user("civilregistrar"), event=event)
    assert event.status == Status.REGISTERED
    assert event.number == f"MA-{TODAY.year}-000001"
    kinds = list(event.actions.values_list("kind", flat=True))
    assert kinds[:3] == ["declared", "validated", "registered"]


def test_numbers_are_unique_never_reused_and_per_type_and_year(world, couple):
    first = registered(world, marriage(*couple))
    mother = couple[0]
    second = registered(world, birth(mother))
    third = registered(world, birth(mother, child_given_name="سارة", child_given_name_latin="Sara"))
    assert first.number.startswith("MA-") and second.number == f"BI-{TODAY.year}-000001"
    assert third.number == f"BI-{TODAY.year}-000002"
    # An archived record keeps no number and takes none: the next is 3, never 2 again.
    assert NumberSequence.objects.get(key=f"birth-{TODAY.year}").last == 2


def test_a_humanitarian_desk_refers_the_family_and_records_the_state_number(world, couple):
    event = registered(world, marriage(*couple))
    assert Flag.STATE_PENDING in event.flags
    assert event.actions.filter(kind=Action.Kind.REFERRED).exists()
    event = actions.state_number_record(
        user=world.user("civilregistrar"), event=event, number="JO-2026-55501"
    )
    assert event.state_certificate_number == "JO-2026-55501"
    assert Flag.STATE_PENDING not in event.flags


def test_a_state_registrar_has_nothing_pending(world, couple, settings):
    settings.SALAMA_CIVIL_REGISTRAR = "state"
    event = registered(world, marriage(*couple))
    assert event.flags == []


def test_no_fee_exists_anywhere_in_the_models():
    from salama.civil import models

    names = {f.name for m in (models.CivilEvent, models.Certificate) for f in m._meta.fields}
    assert not {n for n in names if "fee" in n or "price" in n or "amount" in n}


# ---- births and deaths in the registry ----


def test_a_registered_birth_creates_the_child_in_the_mothers_household(world, couple):
    mother = couple[0]
    event = registered(world, birth(mother))
    child = event.child
    assert child is not None
    assert child.household_id == mother.household_id
    assert child.relationship == "child"
    assert child.birth_date == TODAY - timedelta(days=3) and not child.birth_date_estimated
    assert child.given_name == "ليلى" and child.family_name == mother.family_name
    assert set(child.legal_bases.values_list("purpose", flat=True)) == set(
        mother.legal_bases.values_list("purpose", flat=True)
    )


def test_a_notified_birth_is_declared_by_the_family_then_registered(world, couple):
    mother = couple[0]
    declaration = birth(mother)
    declaration.status = Status.NOTIFIED
    declaration.parties = declaration.parties[:1]
    event = declare(world, declaration).event
    assert event.status == Status.NOTIFIED
    with pytest.raises(CivilError):
        actions.event_register(user=world.user("civilregistrar"), event=event)
    actions.event_complete_notification(
        user=world.user("civilregistrar"),
        event=event,
        informant=PartyInput("informant", couple[1]),
    )
    event = actions.event_register(user=world.user("civilregistrar"), event=event)
    assert event.status == Status.REGISTERED and event.child is not None


def test_a_late_birth_needs_evidence_and_its_approval(world, couple):
    mother = couple[0]
    late = birth(mother, born_in_flight=True)
    late.event_date = years_ago(3)
    with pytest.raises(CivilError) as refused:
        declare(world, late)
    assert refused.value.field == "late_evidence"
    assert not CivilEvent.objects.exists()
    late.late_evidence = "Born on the road near the border; two witnesses and a clinic card."
    event = declare(world, late).event
    assert event.late and Flag.LATE in event.flags
    with pytest.raises(CivilError) as unapproved:
        actions.event_validate(user=world.user("civilregistrar"), event=event)
    assert unapproved.value.code == "late_approval_needed"
    event = actions.event_validate(
        user=world.user("civilregistrar"), event=event, approve_late=True
    )
    event = actions.event_register(user=world.user("civilregistrar"), event=event)
    assert event.status == Status.REGISTERED and Flag.LATE not in event.flags


def test_a_death_updates_the_registry_and_only_tells_the_tracing_officer(world, couple, desk):
    from salama.tracing.models import TracingCase

    deceased = couple[1]
    case = TracingCase.objects.create(
        reference="TR-TEST01",
        kind="missing",
        site=world.amc,
        site_path=world.amc.path,
        organisation=world.un,
        urgency="normal",
        assigned_to=world.user("tracer"),
        opened_at=timezone.now(),
        first_action_due=timezone.now(),
        person=deceased,
        sex="M",
        age_group="25-59",
    )
    event = registered(
        world,
        Declaration(
            event_type="death",
            event_date=TODAY - timedelta(days=1),
            place="Amal clinic",
            parties=[PartyInput("deceased", deceased), PartyInput("informant", couple[0])],
            details={
                "manner": "natural",
                "cause_source": "physician",
                "causes": [
                    {"cause": "Cardiac arrest", "interval": "minutes"},
                    {"cause": "Myocardial infarction", "interval": "2 hours", "icd": "I21"},
                ],
            },
        ),
    )
    deceased.refresh_from_db()
    assert deceased.died_on == TODAY - timedelta(days=1)
    case.refresh_from_db()
    assert case.status == "investigating"  # closed only by the tracing officer's decision
    told = Notification.objects.get(kind="civil.death_registered")
    assert told.recipient == world.user("tracer") and told.reference == "TR-TEST01"
    assert event.details["causes"][0]["cause"] == "Cardiac arrest"


def test_a_medically_certified_death_needs_its_causes(world, couple):
    with pytest.raises(CivilError) as refused:
        declare(
            world,
            Declaration(
                event_type="death",
                event_date=TODAY,
                place="Amal clinic",
                parties=[PartyInput("deceased", couple[1])],
                details={"manner": "natural", "cause_source": "physician", "causes": []},
            ),
        )
    assert refused.value.field == "details.causes"
    assert not CivilEvent.objects.exists()


# ---- child marriage stopped at the desk ----


def test_a_marriage_with_a_16_year_old_is_refused_and_a_child_protection_case_opened(
    world, couple, cp_service
):
    child = girl(world, birth_date=years_ago(16))
    declared = declare(world, marriage(child, couple[1], court_authorisation_shown=True))
    assert declared.event is None
    assert not CivilEvent.objects.exists()
    assert [r.code for r in declared.refusals] == ["under_minimum"]
    stopped = StoppedMarriage.objects.get()
    assert stopped.court_authorisation_shown and stopped.reasons == ["under_minimum"]
    # Recorded minimally: sexes and age bands, never a name or a number.
    assert all(set(p) == {"sex", "age_band", "refused"} for p in stopped.parties)
    case = ProtectionCase.objects.get()
    assert case.person == child and case.case_type == "child_protection"
    assert case.organisation == world.ngo and case.source_kind == "civil"
    assert case.proposed_needs == ["SV-FM", "CR-CS"]
    assert case.assigned_to == world.user("caseworker")
    proposed = PlanItem.objects.get(case=case)
    assert "Child protection unit" in proposed.objective
    # Never sent to police: no referral is made, nobody outside the NGO's
    # caseworker and supervisor is told.
    assert not Referral.objects.exists()
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told <= {"caseworker", "protection"}


def test_a_17_year_old_turning_18_tomorrow_is_refused_and_on_her_birthday_is_not(
    world, couple, cp_service
):
    almost = girl(world, birth_date=years_ago(18, days=-1))
    assert declare(world, marriage(almost, couple[1])).stopped is not None
    exactly = girl(world, given_name_latin="Huda", birth_date=years_ago(18))
    assert declare(world, marriage(exactly, couple[1])).event is not None


def test_an_estimated_age_reaching_below_18_is_refused(world, couple, cp_service):
    # Said to be 18 a few months ago: she may have been born in either of two
    # years, so she could be 17 today.
    maybe = girl(world, birth_date=None, stated_age=18, stated_age_on=TODAY - timedelta(days=100))
    declared = declare(world, marriage(maybe, couple[1]))
    assert declared.stopped is not None
    assert declared.refusals[0].code == "could_be_under_minimum"


def test_an_unknown_age_is_refused(world, couple, cp_service):
    unknown = girl(world, birth_date=None)
    declared = declare(world, marriage(unknown, couple[1]))
    assert declared.refusals[0].code == "age_unknown"


def test_a_deployment_may_raise_the_minimum_age(world, couple, cp_service, settings):
    settings.SALAMA_MARRIAGE_MINIMUM_AGE = 21
    nineteen = girl(world, birth_date=years_ago(19))
    declared = declare(world, marriage(nineteen, couple[1]))
    assert declared.stopped is not None and declared.refusals[0].minimum == 21


def test_a_minimum_below_18_is_a_configuration_error(tmp_path):
    import subprocess
    import sys

    env = {
        "SALAMA_MARRIAGE_MINIMUM_AGE": "16",
        "SALAMA_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "salama.settings",
        "SALAMA_DEMO": "1",
        "PATH": "/usr/bin:/bin",
    }
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode != 0
    assert "can only raise the minimum age of marriage of 18, not lower it to 16" in run.stderr


def test_without_child_protection_staff_the_sites_protection_officers_are_told(world, couple):
    child = girl(world, birth_date=years_ago(15))
    declared = declare(world, marriage(child, couple[1]))
    assert declared.stopped is not None and not ProtectionCase.objects.exists()
    told = set(
        Notification.objects.filter(kind="civil.stopped_marriage").values_list(
            "recipient__username", flat=True
        )
    )
    assert "protection" in told and "registrar" not in told


# ---- protection flags (never blocking) ----


def test_a_large_age_gap_is_flagged_explained_and_does_not_block(world, cp_service):
    bride = girl(world, birth_date=years_ago(19))
    old = register(world, world.amc_block, person_fields(birth_date=years_ago(58))).members.get()
    event = declare(world, marriage(bride, old)).event
    assert Flag.REVIEW in event.flags
    codes = [f["code"] for f in event.review_flags]
    assert "large_age_gap" in codes
    event = actions.event_register(user=world.user("civilregistrar"), event=event)
    assert event.status == Status.REGISTERED
    event = actions.review_flag_resolve(
        user=world.user("civilregistrar"), event=event, code="large_age_gap", outcome="referred"
    )
    gap = next(f for f in event.review_flags if f["code"] == "large_age_gap")
    assert gap["outcome"] == "referred"
    # An adult decides about services herself: protection staff are told, no case is opened.
    assert not ProtectionCase.objects.exists()
    told = Notification.objects.filter(kind="civil.protection_concern")
    assert {n.recipient.username for n in told} == {"protection", "protection_un"}
    assert {n.reference for n in told} == {bride.registration_number}


def test_a_party_already_married_is_flagged(world, couple):
    bride, groom = couple
    registered(world, marriage(bride, groom))
    second = girl(world, given_name_latin="Mariam", birth_date=years_ago(24))
    event = declare(world, marriage(second, groom)).event
    assert "already_married" in [f["code"] for f in event.review_flags]


def test_a_party_with_an_open_missing_report_is_flagged_without_telling_the_registrar_why(
    world, couple, desk
):
    from salama.tracing.models import TracingCase

    bride, groom = couple
    TracingCase.objects.create(
        reference="TR-TEST02",
        kind="missing",
        site=world.amc,
        site_path=world.amc.path,
        organisation=world.un,
        urgency="high",
        assigned_to=world.user("tracer"),
        opened_at=timezone.now(),
        first_action_due=timezone.now(),
        person=bride,
        sex="F",
        age_group="18-24",
    )
    event = declare(world, marriage(bride, groom)).event
    flag = next(f for f in event.review_flags if f["code"] == "open_missing_report")
    assert flag["params"] == {} and flag["outcome"] == "told_owner"
    told = Notification.objects.get(kind="civil.marriage_flag")
    assert told.recipient == world.user("tracer") and told.reference == "TR-TEST02"


# ---- corrections and archive ----


def test_a_correction_keeps_what_the_record_said_before(world, couple):
    event = registered(world, marriage(*couple))
    event = actions.correction_request(
        user=world.user("civilregistrar"), event=event, note="The court's name is misspelt"
    )
    assert Flag.CORRECTION in event.flags
    event = actions.event_correct(
        user=world.user("civilregistrar"),
        event=event,
        changes={"officiant_name": "Sharia court of Amal"},
        reason="Misspelt court",
    )
    assert event.officiant_name == "Sharia court of Amal" and Flag.CORRECTION not in event.flags
    corrected = event.actions.get(kind=Action.Kind.CORRECTED)
    assert corrected.changes["before"] == {"officiant_name": "Judge of the Amal court"}
    assert corrected.changes["after"] == {"officiant_name": "Sharia court of Amal"}


def test_a_registered_record_is_never_archived(world, couple):
    event = registered(world, marriage(*couple))
    with pytest.raises(CivilError):
        actions.event_archive(user=world.user("civilregistrar"), event=event, reason="mistake")


def test_a_repeated_birth_is_flagged_as_a_potential_duplicate_and_decided(world, couple):
    mother = couple[0]
    registered(world, birth(mother))
    again = declare(world, birth(mother)).event
    assert Flag.DUPLICATE in again.flags
    with pytest.raises(CivilError) as refused:
        actions.event_register(user=world.user("civilregistrar"), event=again)
    assert refused.value.code == "potential_duplicate"
    again = actions.duplicate_decide(
        user=world.user("civilregistrar"), event=again, is_duplicate=True, note="Same child"
    )
    assert again.status == Status.ARCHIVED and Flag.DUPLICATE not in again.flags


# ---- bad input writes nothing ----


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"event_date": TODAY + timedelta(days=2)}, "date"),
        ({"place": "  "}, "place"),
        ({"event_type": "adoption"}, "type"),
        ({"officiant_kind": "mayor"}, "officiant"),
        ({"status": "registered"}, "status"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, couple, change, field):
    declaration = marriage(*couple)
    for key, value in change.items():
        setattr(declaration, key, value)
    with pytest.raises(CivilError) as refused:
        declare(world, declaration)
    assert refused.value.field == field
    assert not CivilEvent.objects.exists() and not Action.objects.exists()


def test_a_marriage_needs_two_spouses_and_two_different_people(world, couple):
    bride, groom = couple
    one = marriage(bride, groom)
    one.parties = one.parties[:1]
    with pytest.raises(CivilError) as missing:
        declare(world, one)
    assert missing.value.code == "parties"
    same = marriage(bride, bride)
    with pytest.raises(CivilError):
        declare(world, same)
    assert not CivilEvent.objects.exists()


def test_a_registrar_of_another_site_cannot_register_here(world, couple):
    from salama.core.models import Membership

    membership = Membership.objects.get(user=world.user("civilregistrar"))
    membership.sites.set([world.hop])
    with pytest.raises(CivilError) as refused:
        declare(world, marriage(*couple))
    assert refused.value.code == "not_your_site"


def test_the_persons_own_data_file_has_their_civil_records(world, couple):
    from django.utils import translation

    from salama.civil.certificates import certificate_issue
    from salama.privacy.selectors import subject_data

    bride, groom = couple
    event = registered(world, marriage(bride, groom))
    certificate = certificate_issue(user=world.user("civilregistrar"), event=event)
    with translation.override("en"):
        mine = subject_data(bride, language="en", organisation_ids={world.cma.pk})
        theirs = subject_data(bride, language="en", organisation_ids={world.ngo.pk})
    (row,) = {s["title"]: s for s in mine["more"]}["Civil registration"]["rows"]
    assert row[0] == event.number and row[3] == "Spouse" and certificate.serial in row[7]
    assert {s["title"]: s for s in theirs["more"]}["Civil registration"]["rows"] == []


def test_records_waiting_are_brought_back_to_the_office_once_a_week(world, couple):
    from salama.jobs.schedule import SCHEDULE

    assert "salama.civil.jobs.reminders" in {e.handler for e in SCHEDULE}
    waiting = declare(world, marriage(*couple)).event
    later = timezone.now() + timedelta(days=8)
    assert actions.civil_reminders(now=later) == {"waiting": 1, "state_certificate": 0}
    told = Notification.objects.get(kind="civil.waiting")
    assert told.recipient == world.user("civilregistrar") and told.reference == waiting.reference
    assert actions.civil_reminders(now=later + timedelta(days=1)) == {
        "waiting": 0,
        "state_certificate": 0,
    }
    registered = actions.event_register(user=world.user("civilregistrar"), event=waiting)
    assert Flag.STATE_PENDING in registered.flags
    month = timezone.now() + timedelta(days=40)
    assert actions.civil_reminders(now=month)["state_certificate"] == 1


def test_correcting_a_birth_date_corrects_the_childs_date_of_birth(world, couple):
    event = registered(world, birth(couple[0]))
    corrected = TODAY - timedelta(days=4)
    actions.event_correct(
        user=world.user("civilregistrar"),
        event=event,
        changes={"event_date": corrected},
        reason="The clinic card says the day before",
    )
    child = Person.objects.get(pk=event.child_id)
    assert child.birth_date == corrected
    assert child.revisions.filter(changed_fields=["birth_date"]).exists()


def test_a_man_as_mother_or_a_mother_dead_before_the_birth_is_refused(world, couple):
    bride, groom = couple
    wrong = birth(groom)
    with pytest.raises(CivilError) as refused:
        declare(world, wrong)
    assert refused.value.field == "parties[0].person_id"
    Person.objects.filter(pk=bride.pk).update(died_on=TODAY - timedelta(days=10))
    with pytest.raises(CivilError) as dead:
        declare(world, birth(Person.objects.get(pk=bride.pk)))
    assert dead.value.code == "party_deceased"
    assert not CivilEvent.objects.exists()


def test_another_birth_to_the_same_mother_weeks_later_is_a_potential_duplicate(world, couple):
    registered(world, birth(couple[0]))
    other = birth(couple[0], child_given_name="سارة", child_given_name_latin="Sara")
    other.event_date = TODAY - timedelta(days=1)
    assert Flag.DUPLICATE in declare(world, other).event.flags


def test_a_second_attempt_for_the_same_child_joins_her_open_case(world, couple, cp_service):
    from salama.cases.models import CaseEvent

    child = girl(world, birth_date=years_ago(16))
    declare(world, marriage(child, couple[1]))
    declare(world, marriage(child, couple[1]))
    case = ProtectionCase.objects.get()
    assert StoppedMarriage.objects.count() == 2
    notes = [e.note for e in CaseEvent.objects.filter(case=case)]
    assert len(notes) == 2 and all(couple[1].registration_number in n for n in notes)
    assert all("Sharia court, Amal" in n for n in notes)


def test_a_stated_age_under_18_is_said_as_a_range(world, couple, cp_service):
    from salama.civil.selectors import refusal_sentences

    child = girl(world, birth_date=None, stated_age=16, stated_age_on=TODAY)
    declared = declare(world, marriage(child, couple[1]))
    first = refusal_sentences(declared.refusals)[0]
    assert "between 15 and 17 years old" in first and "The first spouse" in first


def test_the_age_rule_holds_at_registration_and_on_a_corrected_date(world, couple, cp_service):
    bride = girl(world, birth_date=years_ago(18))  # 18 today
    event = declare(world, marriage(bride, couple[1])).event
    assert event is not None
    # Moving the marriage back to when she was 17 is refused.
    with pytest.raises(CivilError) as moved:
        actions.event_correct(
            user=world.user("civilregistrar"),
            event=event,
            changes={"event_date": TODAY - timedelta(days=300)},
            reason="Married earlier",
        )
    assert moved.value.code == "party_under_18"
    # The registry's date of birth changed after the declaration: registration refuses.
    Person.objects.filter(pk=bride.pk).update(
        birth_date=years_ago(17), birth_year_min=TODAY.year - 17, birth_year_max=TODAY.year - 17
    )
    with pytest.raises(CivilError) as late:
        actions.event_register(user=world.user("civilregistrar"), event=event)
    assert late.value.code == "party_under_18"
    event.refresh_from_db()
    assert event.status == Status.DECLARED and event.number is None


def test_an_estimated_date_of_birth_is_only_an_estimate(world, couple, cp_service):
    estimated = girl(world, birth_date=years_ago(18, days=30), birth_date_estimated=True)
    assert declare(world, marriage(estimated, couple[1])).stopped is not None


def test_a_births_date_is_not_moved_by_years_in_a_correction(world, couple):
    event = registered(world, birth(couple[0]))
    with pytest.raises(CivilError) as refused:
        actions.event_correct(
            user=world.user("civilregistrar"),
            event=event,
            changes={"event_date": years_ago(30)},
            reason="Typo",
        )
    assert refused.value.field == "event_date"
    assert Person.objects.get(pk=event.child_id).birth_date == TODAY - timedelta(days=3)


def test_someone_already_registered_is_not_added_again(world, couple):
    data = {
        "given_name": "Salma",
        "given_name_latin": "Salma",
        "family_name_latin": "Al-Hassan",
        "sex": "F",
        "stated_age": 30,
        "site": str(world.amc_block.pk),
    }
    with pytest.raises(CivilError) as refused:
        actions.person_add_minimal(user=world.user("civilregistrar"), data=data)
    assert refused.value.code == "already_registered"
    added = actions.person_add_minimal(
        user=world.user("civilregistrar"), data={**data, "different_person": True}
    )
    assert added.birth_year_min is not None
