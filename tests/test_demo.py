"""The demo deployment: organisations, camps, residents, one user per role."""

from django.test import Client

from salama.core.demo import USERS, load_demo
from salama.core.models import Organisation, Site
from salama.core.roles import Role
from salama.registry.models import Household, Person


def test_demo_deployment(db):
    """The small demo, once, and what each capability puts in it (one load:
    the demo is the suite's slowest fixture)."""
    logins = load_demo(residents=300, seed=1)
    assert Organisation.objects.count() == 3
    assert Site.objects.filter(level="site").count() == 2
    assert Site.objects.filter(level="block").count() == 24
    assert 300 <= Person.objects.count() < 330
    assert Household.objects.count() > 40
    assert {role for _u, _p, role in logins} == {r.value for r in Role}
    assert len(logins) == len(USERS)
    people = Person.objects.all()
    assert any("\u0600" <= p.given_name[:1] <= "\u06ff" for p in people)  # Arabic script
    assert any(p.stated_age is not None for p in people) and any(p.birth_date for p in people)
    client = Client()
    user, password, _role = next(login for login in logins if login[2] == "analyst")
    response = client.post("/accounts/login/", {"username": user, "password": password})
    assert response.status_code == 302
    check_the_demo_has_survivors_whose_names_registrars_do_not_see()
    check_demo_has_a_desk_per_camp_and_an_urgent_missing_girl_found_in_the_registry()
    check_demo_has_absence_alerts_from_its_roll_calls()
    check_demo_has_a_directory_pathways_and_agreements_for_referrals_across_organisations()
    check_demo_has_a_verified_alert_and_a_false_alarm()


def test_demo_at_full_size(db):
    load_demo(residents=2000, seed=73171)
    check_demo_at_full_size_has_children_and_women_at_risk()
    check_demo_has_re_registrations_for_the_review_queue()


def check_demo_at_full_size_has_children_and_women_at_risk():
    needs = [code for p in Person.objects.only("specific_needs") for code in p.specific_needs]
    assert needs.count("SC-UC") >= 3 and needs.count("WR-SF") >= 10
    assert 2000 <= Person.objects.count() < 2030


def check_demo_has_re_registrations_for_the_review_queue():
    from django.contrib.auth.models import User

    from salama.registry import access
    from salama.registry.actions import duplicates_scan
    from salama.registry.models import DuplicateCandidate

    admin = User.objects.get(username="admin")
    duplicates_scan(user=admin, persons=access.persons_to_scan(admin), threshold=0.5)
    again = set(Person.objects.filter(household__shelter="").values_list("pk", flat=True))
    assert len(again) == 20
    found = {pk for c in DuplicateCandidate.objects.all() for pk in (c.keep_id, c.other_id)} & again
    assert len(found) >= 18


def check_the_demo_has_survivors_whose_names_registrars_do_not_see():
    from django.contrib.auth import get_user_model

    from salama.core.access import sees_survivor_names

    survivors = Person.objects.filter(mask_name=True)
    assert survivors.count() >= 3
    registrar = get_user_model().objects.get(username="registrar")
    assert not sees_survivor_names(registrar)


def check_demo_has_a_desk_per_camp_and_an_urgent_missing_girl_found_in_the_registry():
    from salama.tracing.models import CaseCandidate, Desk, TracingCase

    assert set(Desk.objects.values_list("site__code", flat=True)) == {"AMC", "HOP"}
    girl = TracingCase.objects.get(kind="missing")
    assert girl.urgent and girl.organisation.short_name == "PNGO"
    top = CaseCandidate.objects.filter(case=girl).order_by("-probability").first()
    assert top is not None and top.person is not None and top.probability > 0.5
    assert TracingCase.objects.filter(kind="found").count() == 1


def check_demo_has_absence_alerts_from_its_roll_calls():
    from salama.presence.models import AbsenceAlert, PresenceCheck

    assert PresenceCheck.objects.filter(status="closed").count() == 2
    alerts = AbsenceAlert.objects.filter(status="open")
    assert alerts.count() >= 2
    assert {a.profile for a in alerts} <= {"child", "woman_at_risk", "unaccompanied_child"}


def check_demo_has_a_directory_pathways_and_agreements_for_referrals_across_organisations():
    from salama.cases.models import Service
    from salama.cases.selectors import pathway_steps
    from salama.privacy.selectors import active_agreement

    orgs = {o.short_name: o for o in Organisation.objects.all()}
    for code in ("AMC", "HOP"):
        camp = Site.objects.get(code=code)
        at_camp = Service.objects.filter(site=camp, active=True)
        assert set(at_camp.values_list("organisation__short_name", flat=True)) == set(orgs)
        assert {
            "health",
            "clinical_rape",
            "psychosocial",
            "safe_shelter",
            "legal_aid",
            "child_protection",
            "family_tracing",
            "livelihoods",
        } <= set(at_camp.values_list("service_type", flat=True))
        block = Site.objects.filter(path__startswith=camp.path, level="block").first()
        for case_type in ("trafficking", "gbv", "child_protection"):
            steps = list(pathway_steps(block.path, case_type, False))
            assert steps and all(s.site == camp for s in steps), (code, case_type)
        child = list(pathway_steps(block.path, "trafficking", True))
        assert child[0].for_children and child[0].service.service_type == "child_protection"
        assert all(s.service.accepts_children for s in child)
        gbv = pathway_steps(block.path, "gbv", False).first()
        assert gbv.service.service_type == "clinical_rape"
    assert Service.objects.filter(service_type="ddr").count() == 1
    for sender, recipient in (("PNGO", "UNA"), ("UNA", "PNGO"), ("PNGO", "CMA")):
        assert active_agreement(orgs[sender], orgs[recipient], "referral"), (sender, recipient)
    assert active_agreement(orgs["CMA"], orgs["PNGO"], "referral") is None
    # A case of the NGO with a consented referral the UN agency's caseworker can answer.
    from django.contrib.auth import get_user_model

    from salama.cases import access as cases_access

    users = get_user_model().objects
    (waiting,) = cases_access.incoming_for(users.get(username="caseworker.una"))
    assert waiting.status == "pending" and waiting.consent_given
    assert cases_access.outgoing_for(users.get(username="caseworker")).get() == waiting
    assert not cases_access.cases_for(users.get(username="caseworker.una")).exists()


def check_demo_has_a_verified_alert_and_a_false_alarm():
    from salama.warning.models import Alert, RiskFactor

    outcomes = dict(Alert.objects.filter(site__code="AMC").values_list("signal", "outcome"))
    # Besides the seeded rises, the demo's own screenings and reports raise others.
    assert outcomes["survival_sex"] == "confirmed"
    assert outcomes["marriage_offer"] == "false_alarm"
    assert RiskFactor.objects.filter(site__code="AMC", kind="peacekeeping").exists()
