"""The pages of cases and referrals, as each side's staff use them."""

import pytest
from django.utils import timezone

from salama.cases.models import ProtectionCase, Referral
from tests.conftest import signed_in


@pytest.fixture
def ready(world, amc_person, un_service, referral_agreement):
    return amc_person


def test_a_caseworker_opens_refers_and_the_other_organisation_answers(world, ready):
    cw = signed_in(world.user("caseworker"))
    page = cw.get("/cases/new/")
    assert page.status_code == 200
    bad = cw.post(
        "/cases/new/",
        {"registration_number": "AMC-NOPE", "case_type": "trafficking", "risk": "high"},
    )
    assert bad.status_code == 400 and "No one with this registration number" in bad.content.decode()
    assert not ProtectionCase.objects.exists()
    made = cw.post(
        "/cases/new/",
        {
            "registration_number": ready.registration_number,
            "case_type": "trafficking",
            "risk": "high",
            "note": "Met at the women's centre",
        },
    )
    case = ProtectionCase.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/cases/{case.pk}/"
    page = cw.get(f"/cases/{case.pk}/").content.decode()
    assert case.reference in page and "Met at the women" in page
    choose = cw.get(f"/cases/{case.pk}/refer/").content.decode()
    assert "Women&#x27;s centre counselling" in choose

    form = cw.get(f"/cases/{case.pk}/refer/", {"service": str(_service_id())})
    assert "active data-sharing agreement" in form.content.decode()
    # Neither consent nor override: refused, nothing written.
    refused = cw.post(
        f"/cases/{case.pk}/refer/",
        {"service": _service_id(), "basis": "consent", "share": ["name"]},
    )
    assert refused.status_code == 400 and not Referral.objects.exists()
    sent = cw.post(
        f"/cases/{case.pk}/refer/",
        {
            "service": _service_id(),
            "basis": "consent",
            "agreed": "on",
            "explained_by": "Caseworker with interpreter",
            "language": "ar",
            "share": ["name", "sex", "reason"],
            "reason": "Counselling",
        },
    )
    referral = Referral.objects.get()
    assert sent.status_code == 302 and set(referral.shared) == {"name", "sex", "reason"}
    receiver = signed_in(world.user("caseworker_un"))
    assert receiver.get(f"/cases/{case.pk}/").status_code == 404
    incoming = receiver.get("/cases/referrals/?direction=incoming").content.decode()
    assert referral.reference in incoming
    seen = receiver.get(f"/cases/referrals/{referral.pk}/").content.decode()
    assert "Mohammed" in seen and "Counselling" in seen and "Met at the women" not in seen
    assert receiver.post(f"/cases/referrals/{referral.pk}/accept/", {"note": ""}).status_code == 302
    done = receiver.post(
        f"/cases/referrals/{referral.pk}/complete/",
        {
            "delivered_on": timezone.localdate().isoformat(),
            "outcome": "done",
            "note": "First session held",
        },
    )
    assert done.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "completed"
    assert "First session held" in cw.get(f"/cases/referrals/{referral.pk}/").content.decode()
    # A third organisation: 404 on both.
    third = signed_in(world.user("registrar"))
    assert third.get(f"/cases/{case.pk}/").status_code == 404
    assert third.get(f"/cases/referrals/{referral.pk}/").status_code == 404
    closing = cw.get(f"/cases/{case.pk}/close/")
    assert closing.status_code == 200
    assert cw.post(f"/cases/{case.pk}/close/", {"reason": "goals_met"}).status_code == 400
    assert (
        cw.post(f"/cases/{case.pk}/close/", {"reason": "goals_met", "confirm": "on"}).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == "closed"


def _service_id():
    from salama.cases.models import Service

    return str(Service.objects.get().pk)


def test_withdrawing_consent_in_the_page_hides_what_was_shared(world, ready):
    from tests.test_cases import open_case, refer

    case = open_case(world, ready)
    referral = refer(world, case, _service())
    cw = signed_in(world.user("caseworker"))
    assert cw.get(f"/cases/{case.pk}/withdraw/?referral={referral.pk}").status_code == 200
    assert (
        cw.post(
            f"/cases/{case.pk}/withdraw/", {"referral": str(referral.pk), "confirm": "on"}
        ).status_code
        == 302
    )
    seen = (
        signed_in(world.user("caseworker_un"))
        .get(f"/cases/referrals/{referral.pk}/")
        .content.decode()
    )
    assert "Mohammed" not in seen and "withdrew their consent" in seen


def _service():
    from salama.cases.models import Service

    return Service.objects.get()


def test_the_case_list_finds_a_case_by_its_reference_or_the_persons_number(world, ready):
    from tests.test_cases import open_case

    case = open_case(world, ready)
    cw = signed_in(world.user("caseworker"))
    link = f'href="/cases/{case.pk}/"'
    found = cw.get("/cases/", {"q": ready.registration_number.lower()}).content.decode()
    assert link in found
    closed_filter = cw.get("/cases/", {"q": case.reference, "status": "closed"})
    assert link in closed_filter.content.decode()
    assert link not in cw.get("/cases/", {"q": "AMC-NOBODY"}).content.decode()
    # Another organisation's caseworker finds nothing with the same number.
    other = signed_in(world.user("caseworker_un")).get("/cases/", {"q": case.reference})
    assert link not in other.content.decode()


CANARY = "ZQXCANARY9731"


def test_form_errors_never_repeat_what_was_sent(world, ready):
    from tests.test_cases import open_case

    case = open_case(world, ready)
    cw = signed_in(world.user("caseworker"))
    for path, data in (
        (f"/cases/{case.pk}/risk/", {"risk": CANARY}),
        (f"/cases/{case.pk}/close/", {"reason": CANARY, "confirm": "on"}),
        ("/cases/new/", {"registration_number": ready.registration_number, "case_type": CANARY}),
        (f"/cases/{case.pk}/plan/", {"plan_type": CANARY, "objective": "x"}),
        (f"/cases/recovery/{case.pk}/eligibility/", {"programme": CANARY, "status": CANARY}),
        (f"/cases/networks/case/{case.pk}/add/", {"part": CANARY, "names": "Abu Zaki"}),
    ):
        answer = cw.post(path, data)
        assert answer.status_code in (400, 422), (path, answer.status_code)
        assert CANARY not in answer.content.decode(), path


def test_closing_says_which_referrals_it_cancels_and_tells_their_service(world, ready):
    from salama.notifications.models import Notification
    from tests.test_cases import open_case, refer

    case = open_case(world, ready)
    referral = refer(world, case, _service())
    cw = signed_in(world.user("caseworker"))
    assert "will be cancelled" in cw.get(f"/cases/{case.pk}/close/").content.decode()
    cw.post(f"/cases/{case.pk}/close/", {"reason": "goals_met", "confirm": "on"})
    referral.refresh_from_db()
    assert referral.status == "cancelled"
    told = Notification.objects.filter(kind="cases.cancelled", reference=referral.reference)
    assert {n.recipient.username for n in told} == {"caseworker_un", "protection_un"}


def test_a_referral_made_by_mistake_is_cancelled_by_its_caseworker(world, ready):
    from tests.test_cases import open_case, refer

    case = open_case(world, ready)
    referral = refer(world, case, _service())
    assert (
        signed_in(world.user("caseworker_un"))
        .post(f"/cases/referrals/{referral.pk}/cancel/", {"note": "not mine"})
        .status_code
        == 404
    )
    cw = signed_in(world.user("caseworker"))
    assert cw.post(f"/cases/referrals/{referral.pk}/cancel/", {"note": ""}).status_code == 400
    assert (
        cw.post(
            f"/cases/referrals/{referral.pk}/cancel/", {"note": "Wrong service chosen"}
        ).status_code
        == 302
    )
    referral.refresh_from_db()
    assert referral.status == "cancelled" and referral.shared == {}


def test_a_referral_to_ones_own_organisations_service_is_answered_there(world, ready):
    from salama.cases.models import Service
    from tests.test_cases import open_case, refer

    case = open_case(world, ready)
    own = Service.objects.create(
        site=world.amc,
        site_path=world.amc.path,
        organisation=world.ngo,
        name="NGO shelter",
        service_type="safe_shelter",
    )
    referral = refer(world, case, own, consent=None, override_reason="Beaten last night; at risk")
    page = (
        signed_in(world.user("protection")).get(f"/cases/referrals/{referral.pk}/").content.decode()
    )
    assert "/accept/" in page
    assert (
        signed_in(world.user("protection"))
        .post(f"/cases/referrals/{referral.pk}/accept/")
        .status_code
        == 302
    )
    referral.refresh_from_db()
    assert referral.status == "accepted"


def test_opening_a_case_again_from_the_same_finding_goes_to_the_open_case(world, ready):
    from tests.test_cases import open_case, stored_screening

    screening = stored_screening(world, ready)
    case = open_case(world, ready, source_kind="screening", source_id=str(screening.pk))
    answer = signed_in(world.user("caseworker")).get(f"/cases/new/?source=screening:{screening.pk}")
    assert answer.status_code == 302 and answer["Location"] == f"/cases/{case.pk}/"
