"""Protection cases and referrals with consent (issue 11): the actions.

Cases belong to one organisation; another reads only a referral made to one
of its services, with the fields the person agreed to share (PROTECTION.md
3, 4, 7, 15)."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from salama.cases import access, actions
from salama.cases.actions import CaseError, Consent, Opening, ReferralRequest
from salama.cases.models import CaseEvent, ProtectionCase, Referral
from salama.notifications.models import Notification
from tests.conftest import person_fields, register

SHARE = ["name", "sex", "age_band", "languages", "reason"]


def stored_screening(world, person, *, instrument="x", sex="M", items=()):
    """A screening of `person` by the NGO as stored (no scoring), with the items
    answered yes in `items`: the source a case is opened from."""
    from salama.screening.models import FiredIndicator, Screening

    screening = Screening.objects.create(
        person=person,
        site_path=person.site_path,
        organisation=world.ngo,
        instrument=instrument,
        instrument_version="1",
        profile="adult",
        answers={},
        result={},
        outcome="",
        level="high",
        sex=sex,
        age_group="18-59",
        legal_basis="vital_interest",
    )
    for item in items:
        FiredIndicator.objects.create(screening=screening, item=item, scope="self")
    return screening


def open_case(world, person, user="caseworker", **kw):
    return actions.case_open(
        user=world.user(user),
        opening=Opening(
            person=person,
            case_type=kw.pop("case_type", "trafficking"),
            risk="high",
            source_kind=kw.pop("source_kind", "direct"),
            **kw,
        ),
    )


def consent(share=SHARE, given=True):
    return Consent(
        given=given,
        explained_by="Caseworker A. with a female interpreter",
        language="ar",
        share=list(share),
    )


def refer(world, case, service, user="caseworker", **kw):
    kw.setdefault("consent", consent())
    return actions.referral_make(
        user=world.user(user),
        case=case,
        request=ReferralRequest(
            service=service, reason="Needs counselling after exploitation", **kw
        ),
    )


@pytest.fixture
def case(world, amc_person):
    return open_case(world, amc_person)


def test_a_case_belongs_to_the_openers_organisation_and_tells_its_supervisor(world, case):
    assert case.organisation == world.ngo and case.assigned_to == world.user("caseworker")
    assert case.supervisor == world.user("protection")
    assert case.reference.startswith("PC-") and not case.is_child
    told = Notification.objects.filter(reference=case.reference)
    assert {n.recipient.username for n in told} == {"protection"}
    assert CaseEvent.objects.filter(case=case, kind="opened").count() == 1


def test_another_organisation_gets_404_on_the_case(world, case):
    assert access.get_case(world.user("caseworker"), case.pk) == case
    for name in ("caseworker_un", "protection_un", "admin_un", "tracer", "registrar"):
        with pytest.raises(Http404):
            access.get_case(world.user(name), case.pk)
    # The NGO's caseworker at another camp does not see it either.
    with pytest.raises(Http404):
        access.get_case(world.user("caseworker_hop"), case.pk)


def test_a_person_without_a_basis_for_protection_gets_no_case(world):
    person = register(
        world, world.amc_block, bases={"registration": "public_interest"}
    ).members.get()
    with pytest.raises(CaseError) as refused:
        open_case(world, person)
    assert refused.value.code == "no_legal_basis"
    assert not ProtectionCase.objects.exists()


def test_a_child_case_takes_the_child_path_and_consent_by_age_band(world):
    child = register(
        world,
        world.amc_block,
        person_fields(
            birth_date=date.today().replace(year=date.today().year - 9), relationship="head"
        ),
    ).members.get()
    case = open_case(world, child, case_type="child_protection")
    assert case.is_child and case.bia_status == "not_started" and case.consent_by == "child_assent"
    with pytest.raises(CaseError):
        actions.child_assessment_save(
            user=world.user("caseworker"),
            case=case,
            data=actions.ChildAssessment(
                bia_status="done", caregiver="none", consent_by="child_assent"
            ),
        )
    saved = actions.child_assessment_save(
        user=world.user("caseworker"),
        case=case,
        data=actions.ChildAssessment(
            bia_status="done",
            caregiver="none",
            consent_by="bid",
            bid_required=True,
            bid_decision="Interim care with a foster family",
        ),
    )
    saved.refresh_from_db()
    assert saved.bid_required and saved.bid_decided_at and saved.bid_decision.startswith("Interim")


def test_a_referral_without_consent_or_override_is_refused_and_writes_nothing(
    world, case, un_service, referral_agreement
):
    with pytest.raises(CaseError) as refused:
        refer(world, case, un_service, consent=None)
    assert refused.value.code == "consent_required"
    with pytest.raises(CaseError) as refused:
        refer(world, case, un_service, consent=consent(given=False))
    assert refused.value.code == "consent_refused"
    assert not Referral.objects.exists()
    assert not CaseEvent.objects.filter(kind__in=["referral", "override"]).exists()


def test_a_referral_across_organisations_needs_an_active_agreement(world, case, un_service):
    with pytest.raises(CaseError) as refused:
        refer(world, case, un_service)
    assert refused.value.code == "no_sharing_agreement"
    assert not Referral.objects.exists()


def test_only_the_consented_fields_travel_and_only_fields_the_service_needs(
    world, case, un_service, referral_agreement
):
    with pytest.raises(CaseError) as refused:
        refer(world, case, un_service, consent=consent([*SHARE, "birth_date"]))
    assert refused.value.code == "not_needed" and "birth_date" in str(refused.value)
    referral = refer(world, case, un_service)
    assert set(referral.shared) == set(SHARE)
    assert referral.shared["name"].startswith("Mohammed Ali Al-Hassan")
    assert "phone" not in referral.shared and "birth_date" not in referral.shared


def test_the_receiver_reads_the_referral_never_the_case(
    world, case, un_service, referral_agreement
):
    referral = refer(world, case, un_service)
    receiver = world.user("caseworker_un")
    found, side = access.get_referral(receiver, referral.pk)
    assert found == referral and side == "incoming"
    with pytest.raises(Http404):
        access.get_case(receiver, case.pk)
    # A third organisation sees neither.
    for name in ("registrar", "admin", "dpo", "civilregistrar"):
        with pytest.raises(Http404):
            access.get_referral(world.user(name), referral.pk)
    told = {n.recipient.username for n in Notification.objects.filter(reference=referral.reference)}
    assert told == {"caseworker_un", "protection_un"}


def test_accept_deliver_and_the_outcome_comes_back(world, case, un_service, referral_agreement):
    referral = refer(world, case, un_service)
    receiver = world.user("caseworker_un")
    actions.referral_accept(user=receiver, referral=referral)
    with pytest.raises(CaseError):
        actions.referral_accept(user=receiver, referral=referral)
    delivery = actions.referral_complete(
        user=receiver,
        referral=referral,
        delivered_on=timezone.localdate(),
        outcome="done",
        note="Six sessions planned",
    )
    referral.refresh_from_db()
    assert (
        referral.status == "completed" and delivery.case == case and delivery.provider == world.un
    )
    told = Notification.objects.filter(
        recipient=world.user("caseworker"), reference=referral.reference
    )
    assert {n.kind for n in told} == {"cases.accepted", "cases.completed"}


def test_an_override_needs_a_reason_and_tells_the_supervisor(
    world, case, un_service, referral_agreement
):
    with pytest.raises(CaseError):
        refer(world, case, un_service, consent=None, override_reason="urgent")
    referral = refer(
        world,
        case,
        un_service,
        consent=None,
        override_reason="Unconscious after an assault; life at risk",
    )
    assert not referral.consent_given and set(referral.shared) == set(
        actions.fields_needed("psychosocial", minimal=True)
    )
    assert CaseEvent.objects.filter(case=case, kind="override").exists()
    assert Notification.objects.filter(
        recipient=world.user("protection"), kind="cases.override"
    ).exists()


def test_withdrawn_consent_stops_sharing_at_once(world, case, un_service, referral_agreement):
    referral = refer(world, case, un_service)
    assert (
        actions.consent_withdraw(user=world.user("caseworker"), case=case, referral=referral) == 1
    )
    referral.refresh_from_db()
    assert referral.status == "withdrawn" and referral.shared == {}
    with pytest.raises(CaseError) as refused:
        actions.referral_accept(user=world.user("caseworker_un"), referral=referral)
    assert refused.value.code == "consent_withdrawn"
    assert Notification.objects.filter(
        recipient=world.user("caseworker_un"), kind="cases.withdrawn"
    ).exists()


def test_authorities_are_a_separate_decision_and_never_an_override(world, case, referral_agreement):
    from salama.cases.models import Service

    police = Service.objects.create(
        site=world.amc,
        site_path=world.amc.path,
        organisation=world.un,
        name="Police desk",
        service_type="law_enforcement",
    )
    with pytest.raises(CaseError) as refused:
        refer(world, case, police)
    assert refused.value.code == "authority_decision_required"
    with pytest.raises(CaseError) as refused:
        refer(
            world,
            case,
            police,
            consent=None,
            override_reason="The police asked for the file",
            authority_decision=True,
        )
    assert refused.value.code == "consent_required"
    made = refer(world, case, police, authority_decision=True)
    assert made.authority_decision


def test_referral_to_origin_authorities_is_blocked_even_under_an_agreement(
    world, case, referral_agreement
):
    from salama.cases.models import Service

    referral_agreement.recipient_kind = "origin_authorities"
    referral_agreement.save()
    service = Service.objects.create(
        site=world.amc,
        site_path=world.amc.path,
        organisation=world.un,
        name="Embassy",
        service_type="documentation",
    )
    with pytest.raises(CaseError) as refused:
        refer(world, case, service, consent=consent(["name", "sex"]))
    assert refused.value.code == "no_sharing_agreement"


def test_late_referrals_are_reminded_then_escalated_once(
    world, case, un_service, referral_agreement, settings
):
    referral = refer(world, case, un_service)
    assert actions.referral_reminders(now=referral.made_at + timedelta(hours=47)) == {
        "reminded": 0,
        "escalated": 0,
    }
    assert actions.referral_reminders(now=referral.made_at + timedelta(hours=49)) == {
        "reminded": 1,
        "escalated": 0,
    }
    assert actions.referral_reminders(now=referral.made_at + timedelta(hours=50)) == {
        "reminded": 0,
        "escalated": 0,
    }
    later = referral.made_at + timedelta(hours=48 + settings.SALAMA_REFERRAL_ESCALATION_HOURS + 1)
    assert actions.referral_reminders(now=later) == {"reminded": 0, "escalated": 1}
    assert actions.referral_reminders(now=later) == {"reminded": 0, "escalated": 0}
    assert (
        Notification.objects.filter(
            recipient=world.user("protection_un"), kind="cases.escalated"
        ).count()
        == 1
    )
    assert (
        Notification.objects.filter(
            recipient=world.user("caseworker"), kind="cases.overdue"
        ).count()
        == 1
    )


def test_closing_cancels_waiting_referrals_and_starts_retention(
    world, case, un_service, referral_agreement, settings
):
    referral = refer(world, case, un_service)
    with pytest.raises(CaseError):
        actions.case_close(user=world.user("caseworker"), case=case, reason="other")
    closed = actions.case_close(user=world.user("caseworker"), case=case, reason="goals_met")
    referral.refresh_from_db()
    assert referral.status == "cancelled" and referral.shared == {}
    assert (
        actions.cases_retention(
            now=closed.closed_at + timedelta(days=settings.SALAMA_RETENTION_CASES_DAYS - 1)
        )
        == 0
    )
    assert (
        actions.cases_retention(
            now=closed.closed_at + timedelta(days=settings.SALAMA_RETENTION_CASES_DAYS + 1)
        )
        == 1
    )
    assert not ProtectionCase.objects.exists() and not Referral.objects.exists()


def test_only_a_supervisor_chosen_caseworker_of_the_organisation_can_be_assigned(world, case):
    with pytest.raises(CaseError):
        actions.case_assign(
            user=world.user("protection"), case=case, caseworker=world.user("caseworker_un")
        )
    actions.case_assign(
        user=world.user("protection"), case=case, caseworker=world.user("protection")
    )
    case.refresh_from_db()
    assert case.assigned_to == world.user("protection")


def test_a_case_is_opened_once_per_finding(world, amc_person):
    screening = stored_screening(world, amc_person)
    source = access.source_record(world.user("caseworker"), "screening", screening.pk)
    first = open_case(
        world, actions.source_person(source), source_kind="screening", source_id=str(screening.pk)
    )
    with pytest.raises(CaseError) as refused:
        open_case(world, amc_person, source_kind="screening", source_id=str(screening.pk))
    assert refused.value.code == "already_open" and first.reference in str(refused.value)
    with pytest.raises(Http404):
        access.source_record(world.user("caseworker_un"), "screening", screening.pk)


def test_an_alert_about_a_person_with_an_open_case_goes_to_its_caseworker_and_supervisor(
    world, amc_person
):
    from salama.core.actions import user_create
    from salama.core.roles import Role
    from salama.screening.actions import screening_record
    from tests.test_screening_app import TRAFFICKED

    other = user_create(
        username="caseworker2",
        password="correct horse battery staple",
        organisation=world.ngo,
        role=Role.CASEWORKER,
        sites=[world.amc],
    )

    def screen() -> set[str]:
        Notification.objects.all().delete()
        screening_record(
            user=world.user("protection"),
            person=amc_person,
            instrument_id="ilo-ec-delphi-labour",
            profile="adult",
            answers=TRAFFICKED,
        )
        return {n.recipient.username for n in Notification.objects.filter(kind="screening.alert")}

    # No case yet: every caseworker of the organisation at the site.
    assert screen() == {"caseworker", other.username}
    open_case(world, amc_person)
    assert screen() == {"caseworker"}


def test_the_persons_own_data_file_has_their_cases_and_referrals_not_the_exploiters(
    world, case, un_service, referral_agreement
):
    import json

    from django.utils import translation

    from salama.cases.networks import exploiter_record
    from salama.privacy.selectors import subject_data

    refer(world, case, un_service)
    exploiter_record(
        user=world.user("caseworker"),
        case=case,
        data={"part": "recruiter", "names": "Abu Zaki Barakat", "phones": "0912345678"},
    )
    with translation.override("en"):
        mine = subject_data(case.person, language="en", organisation_ids={world.ngo.pk})
        theirs = subject_data(case.person, language="en", organisation_ids={world.un.pk})
    section = {s["title"]: s for s in mine["more"]}["Protection cases"]
    (row,) = section["rows"]
    assert row[0] == case.reference and "with consent" in row[6] and "name" in row[6]
    assert "Barakat" not in json.dumps(mine) and "0912345678" not in json.dumps(mine)
    assert {s["title"]: s for s in theirs["more"]}["Protection cases"]["rows"] == []


def test_origin_authorities_need_the_agreement_and_the_deployments_permission(
    world, case, referral_agreement, settings
):
    from salama.cases.models import Service

    referral_agreement.recipient_kind = "origin_authorities"
    referral_agreement.save()
    service = Service.objects.create(
        site=world.amc,
        site_path=world.amc.path,
        organisation=world.un,
        name="Embassy",
        service_type="documentation",
    )
    settings.SALAMA_ALLOW_TRANSFER_TO_ORIGIN_AUTHORITIES = True
    made = refer(world, case, service, consent=consent(["name", "sex"]))
    assert made.agreement == referral_agreement


def test_notes_plans_consent_shared_fields_and_exploiters_are_ciphertext_in_the_database(
    world, case, un_service, referral_agreement
):
    from django.apps import apps
    from django.db import connection

    from salama.cases.networks import exploiter_record
    from salama.registry.sensitivity import ENCRYPTED_FIELDS

    actions.case_note_add(user=world.user("caseworker"), case=case, note="Spoke to Mohammed")
    actions.plan_item_add(
        user=world.user("caseworker"),
        case=case,
        plan_type="safety",
        objective="Safety plan with Mohammed",
    )
    refer(world, case, un_service)
    exploiter_record(
        user=world.user("caseworker"),
        case=case,
        data={"part": "recruiter", "names": "Abu Zaki Barakat"},
    )
    plain = ("Mohammed", "Barakat", "counselling", "Spoke", "interpreter")
    for label in [k for k in ENCRYPTED_FIELDS if k.startswith("cases.")]:
        model = apps.get_model(label)
        columns = ", ".join(model._meta.get_field(f).column for f in ENCRYPTED_FIELDS[label])
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {model._meta.db_table}")  # noqa: S608
            rows = cursor.fetchall()
        for row in rows:
            for value in row:
                text = bytes(value).decode() if isinstance(value, bytes | memoryview) else value
                assert not text or text.startswith("gAAAAA"), (label, text)
                assert not any(word in (text or "") for word in plain), (label, text)
    assert Referral.objects.get().shared["name"].startswith("Mohammed")


def test_an_agreement_limited_to_personal_data_does_not_carry_the_case_type(
    world, case, un_service, referral_agreement
):
    referral_agreement.sensitivity_classes = ["personal"]
    referral_agreement.fields = ["sex"]
    referral_agreement.save()
    with pytest.raises(CaseError) as refused:
        refer(world, case, un_service, consent=consent(["sex", "case_type", "reason"]))
    assert refused.value.code == "not_in_agreement"
    assert "case_type" in str(refused.value) and "reason" in str(refused.value)
    with pytest.raises(CaseError):
        refer(world, case, un_service, consent=consent(["name"]))  # given_name not listed
    assert set(refer(world, case, un_service, consent=consent(["sex"])).shared) == {"sex"}


def test_a_services_organisation_cannot_be_changed_by_a_keeper(world, un_service):
    from salama.cases.directory import DirectoryError, service_save

    data = {"name": un_service.name, "service_type": "psychosocial", "organisation": world.ngo}
    with pytest.raises(DirectoryError):
        service_save(user=world.user("protection"), site=world.amc, data=data, service=un_service)
    un_service.refresh_from_db()
    assert un_service.organisation == world.un


def test_an_alert_never_reaches_nobody_when_the_cases_staff_left(world, amc_person):
    from salama.core.actions import user_create
    from salama.core.roles import Role
    from salama.screening.actions import screening_record
    from tests.test_screening_app import TRAFFICKED

    open_case(world, amc_person)
    for name in ("caseworker", "protection"):
        user = world.user(name)
        user.is_active = False
        user.save()
    user_create(
        username="caseworker2",
        password="correct horse battery staple",
        organisation=world.ngo,
        role=Role.CASEWORKER,
        sites=[world.amc],
    )
    screener = user_create(
        username="protection2",
        password="correct horse battery staple",
        organisation=world.ngo,
        role=Role.PROTECTION_OFFICER,
        sites=[world.amc],
    )
    screening_record(
        user=screener,
        person=amc_person,
        instrument_id="ilo-ec-delphi-labour",
        profile="adult",
        answers=TRAFFICKED,
    )
    told = {n.recipient.username for n in Notification.objects.filter(kind="screening.alert")}
    assert "caseworker2" in told
