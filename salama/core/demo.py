"""A demonstration deployment: three organisations, two camps, about 2,000
synthetic residents and one user per role. Loaded through the same actions
as real work, so the demo's audit trail is real too."""

import secrets
from datetime import date, timedelta
from typing import Any, NamedTuple

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from salama.core.actions import site_create, user_create
from salama.core.database import refresh_planner_statistics
from salama.core.models import Organisation, Site
from salama.core.roles import Role
from salama.lib.synthetic import Generator, SyntheticPerson
from salama.registry.actions import PersonData, household_register
from salama.registry.forms import DEFAULT_BASES

# (English, Arabic, French name, code): site names in each language of the interface.
CAMPS = [
    ("Al Amal Camp", "مخيم الأمل", "Camp d'Al Amal", "AMC"),
    ("Hope Settlement", "مستوطنة الرجاء", "Site d'Espoir", "HOP"),
]
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
BLOCK_LETTERS_AR = dict(zip("ABCD", "أبجد", strict=True))


def _sites() -> dict[str, list[Site]]:
    country = site_create(
        name="Demoland", name_ar="ديمولاند", name_fr="Démoland", code="DL", level="country"
    )
    blocks: dict[str, list[Site]] = {}
    for name, name_ar, name_fr, code in CAMPS:
        camp = site_create(
            name=name,
            name_ar=name_ar,
            name_fr=name_fr,
            code=code,
            level="site",
            parent=country,
            kind="camp",
        )
        blocks[code] = []
        for z in range(1, 4):
            zone_ar = f"{name_ar}، المنطقة {str(z).translate(ARABIC_DIGITS)}"
            zone = site_create(
                name=f"{name} zone {z}",
                name_ar=zone_ar,
                name_fr=f"{name_fr}, zone {z}",
                code=f"{code}-Z{z}",
                level="zone",
                parent=camp,
            )
            for b in "ABCD":
                block_ar = f"{str(z).translate(ARABIC_DIGITS)}{BLOCK_LETTERS_AR[b]}"
                blocks[code].append(
                    site_create(
                        name=f"{name} block {z}{b}",
                        name_ar=f"{name_ar}، القطاع {block_ar}",
                        name_fr=f"{name_fr}, bloc {z}{b}",
                        code=f"{code}-Z{z}{b}",
                        level="block",
                        parent=zone,
                    )
                )
    return blocks


def _person_data(p: SyntheticPerson, today: date) -> PersonData:
    fields: dict[str, Any] = {
        "given_name": p.given[0],
        "father_name": p.father[0],
        "grandfather_name": p.grandfather[0],
        "family_name": p.family[0],
        "given_name_latin": p.given[1],
        "father_name_latin": p.father[1],
        "grandfather_name_latin": p.grandfather[1],
        "family_name_latin": p.family[1],
        "sex": p.sex,
        "relationship": p.relationship,
        "birth_date": p.birth_date,
        "birth_date_estimated": False,
        "stated_age": p.stated_age,
        "stated_age_on": today if p.stated_age is not None else None,
        "nationality": p.origin[0],
        "origin_country": p.origin[0],
        "origin_admin1": p.origin[1],
        "origin_place": p.origin[2],
        "languages": p.languages,
        "phone": p.phone,
        "specific_needs": p.needs,
    }
    return PersonData(fields=fields, document=p.document)


USERS = [
    ("registrar", Role.REGISTRATION_OFFICER, "CMA", ["AMC"]),
    # Protection Now keeps the camps' missing-persons desks: its protection
    # officer is told of every report, and sees the cases.
    ("tracer", Role.TRACING_OFFICER, "PNGO", ["AMC", "HOP"]),
    ("caseworker", Role.CASEWORKER, "PNGO", ["AMC"]),
    # The UN agency's caseworker answers referrals made to its services.
    ("caseworker.una", Role.CASEWORKER, "UNA", ["AMC", "HOP"]),
    ("civilregistrar", Role.CIVIL_REGISTRAR, "CMA", ["AMC"]),
    # Complaints of sexual exploitation and abuse: the UN agency's focal point
    # receives them, the NGO's investigation focal point investigates its own
    # staff once referred, the network's coordinator reads the figures only.
    ("psea", Role.PSEA_FOCAL_POINT, "UNA", ["AMC", "HOP"]),
    ("investigator", Role.INVESTIGATION_FOCAL_POINT, "PNGO", ["AMC", "HOP"]),
    ("coordinator", Role.PSEA_COORDINATOR, "UNA", ["DL"]),
    # The caseworker's organisation: screenings and alerts stay in the one that made them.
    ("protection", Role.PROTECTION_OFFICER, "PNGO", ["AMC", "HOP"]),
    ("analyst", Role.ANALYST, "UNA", ["AMC", "HOP"]),
    ("admin", Role.ADMINISTRATOR, "CMA", ["DL"]),
    ("registrar.hope", Role.REGISTRATION_OFFICER, "CMA", ["HOP"]),
    ("dpo", Role.DATA_PROTECTION_OFFICER, "CMA", ["DL"]),
]


@transaction.atomic
def load_demo(*, residents: int = 2000, seed: int = 73171) -> list[tuple[str, str, str]]:
    """Create the demo deployment; returns (username, password, role) triples."""
    orgs = {
        "CMA": Organisation.objects.create(
            name="Camp Management Agency", short_name="CMA", kind="camp_management"
        ),
        "PNGO": Organisation.objects.create(
            name="Protection Now (NGO)", short_name="PNGO", kind="ngo"
        ),
        "UNA": Organisation.objects.create(
            name="UN Refugee Agency (demo)", short_name="UNA", kind="un"
        ),
    }
    blocks = _sites()
    logins = []
    for username, role, org, site_codes in USERS:
        password = f"{role.value.split('_')[0]}-{secrets.token_hex(4)}"
        sites = list(Site.objects.filter(code__in=site_codes))
        user_create(
            username=username,
            password=password,
            organisation=orgs[org],
            role=role,
            sites=sites,
            validate=False,
            # The demo's administrator is the deployment's system administrator, so
            # that organisations and countries can be tried from the browser.
            superuser=username == "admin",
        )
        logins.append((username, password, role.value))
    admin = get_user_model().objects.get(username="admin")
    today = timezone.localdate()
    generator = Generator(seed, today)
    bases = {k: v for k, v in DEFAULT_BASES.items() if v}
    count = 0
    adults: list[tuple[SyntheticPerson, Site]] = []
    while count < residents:
        household = generator.household()
        camp = "AMC" if generator.rng.random() < 0.65 else "HOP"
        block = generator.rng.choice(blocks[camp])
        household_register(
            user=admin,
            organisation=orgs["CMA"],
            site=block,
            shelter=f"{block.code[-2:]}-{generator.rng.randrange(1, 400):03d}",
            members=[_person_data(p, today) for p in household.members],
            bases=bases,
        )
        adults += [(p, block) for p in household.members if p.relationship == "head"]
        count += len(household.members)
    _register_again(generator, adults[: max(2, residents // 100)], admin, orgs["CMA"], bases, today)
    _screen_some(generator, logins)
    _tracing_desks(orgs["PNGO"])
    _roll_calls(orgs)
    _service_directory(orgs)
    _protection_case()
    _civil_registrations()
    _sea_complaint()
    _early_warning()
    _participation()
    refresh_planner_statistics()  # thousands of rows just written
    return logins


# Roll calls in Al Amal at which a few children and women at risk were not
# seen, so that the absence alerts page has something to show.
MISSED_CHILDREN = 4
MISSED_WOMEN = 2


def _roll_calls(orgs: dict[str, Organisation]) -> None:
    from salama.lib.absence import WOMAN_AT_RISK_CODES
    from salama.presence.actions import check_record
    from salama.registry import access

    registrar = get_user_model().objects.get(username="registrar")
    camp = Site.objects.get(code="AMC")
    today = timezone.localdate()
    people = list(
        access.persons_for(registrar)
        .filter(site_path__startswith=camp.path)
        .order_by("registration_number")
    )
    children = [p for p in people if p.birth_year_min and today.year - p.birth_year_min < 14][
        :MISSED_CHILDREN
    ]
    women = [p for p in people if set(p.specific_needs) & WOMAN_AT_RISK_CODES][:MISSED_WOMEN]
    missed = {p.pk for p in children + women}
    seen = [p for p in people if p.pk not in missed]
    for kind in ("roll_call", "distribution"):
        check_record(user=registrar, site=camp, kind=kind, held_at=None, persons=seen)


SCREENED_HEADS = 120
SURVIVORS = 3


def _screen_some(generator: Generator, logins: list[tuple[str, str, str]]) -> None:
    """Vulnerability screenings of up to 120 heads of household in Al Amal, so that
    the alerts have work and the figures show counts above the small-cell
    threshold; the demo caseworker's field password is their login password,
    for trying ODK Collect against /openrosa."""
    from salama.registry.access import persons_for
    from salama.registry.actions import specific_needs_add
    from salama.screening.actions import (
        default_profile,
        field_credential_set,
        registry_answers,
        screening_record,
    )

    caseworker = get_user_model().objects.get(username="caseworker")
    password = next(p for u, p, _ in logins if u == "caseworker")
    field_credential_set(user=caseworker, password=password)
    factors = ["no_income", "no_services", "family_exploited", "offer_work", "offer_travel"]
    for person in persons_for(caseworker).filter(relationship="head")[:SCREENED_HEADS]:
        chosen = generator.rng.sample(factors, generator.rng.randrange(0, 3))
        screening_record(
            user=caseworker,
            person=person,
            instrument_id="salama-vulnerability",
            profile=default_profile(person),
            answers={**registry_answers(person), **{f: "yes" for f in chosen}},
            administered_with="caregiver",
        )
    # Three women the caseworker knows as survivors of violence (SV-VA), so that
    # a registrar sees how survivors' names are withheld in lists and matches.
    for woman in persons_for(caseworker).filter(sex="F", relationship="head")[:SURVIVORS]:
        specific_needs_add(
            user=caseworker, person=woman, codes=["SV-VA"], reason="disclosed_to_caseworker"
        )


def _tracing_desks(keeper: Organisation) -> None:
    """A missing-persons desk in each camp, the tracer on duty, and two open
    cases: a girl reported missing (urgent, her registry record a candidate)
    and a man found near the road who gave his name."""
    from datetime import timedelta

    from salama.registry.access import persons_for
    from salama.tracing.actions import desk_save, duty_shift_add, report_take
    from salama.tracing.reports import clean_report

    admin = get_user_model().objects.get(username="admin")
    tracer = get_user_model().objects.get(username="tracer")
    desks = {}
    places = {
        "AMC": (
            "Block C, next to the clinic",
            "المربع ج، قرب العيادة",
            "Bloc C, près du dispensaire",
        ),
        "HOP": ("Reception tent, gate 1", "خيمة الاستقبال، البوابة ١", "Tente d'accueil, porte 1"),
    }
    for code, (place, place_ar, place_fr) in places.items():
        desks[code] = desk_save(
            user=admin,
            site=Site.objects.get(code=code),
            organisation=keeper,
            place=place,
            hours="Every day 08:00-17:00; the public page at any time",
            searches=list(Site.objects.filter(code__in={"AMC", "HOP"} - {code})),
            public=True,
            translations={
                "place_ar": place_ar,
                "place_fr": place_fr,
                "hours_ar": "كل يوم ٠٨:٠٠-١٧:٠٠؛ صفحة البلاغات في أي وقت",
                "hours_fr": "Tous les jours 08:00-17:00 ; la page de signalement à toute heure",
            },
        )
        now = timezone.now()
        duty_shift_add(
            user=admin,
            desk=desks[code],
            officer=tracer,
            starts_at=now,
            ends_at=now + timedelta(hours=12),
        )
    today = timezone.localdate()
    girls = persons_for(tracer).filter(
        sex="F",
        relationship="child",
        birth_date__lte=today - timedelta(days=8 * 366),
        birth_date__gte=today - timedelta(days=15 * 365),
    )
    girl = girls.order_by("-birth_date").first()
    if girl is not None:
        report_take(
            user=tracer,
            desk=desks["AMC"],
            channel="desk",
            data=clean_report(
                {
                    "kind": "missing",
                    "person": {
                        "given_name_latin": girl.given_name_latin,
                        "family_name_latin": girl.family_name_latin,
                        "sex": "F",
                        "birth_date": girl.birth_date.isoformat() if girl.birth_date else "",
                        "description": "Green dress, plastic sandals",
                    },
                    "last_seen": {"place": "Water point 3", "with_whom": "alone"},
                    "circumstances": ["offered_work"],
                    "reporter": {"name": "Her mother", "relationship": "mother"},
                    "counted": True,
                }
            ),
        )
    report_take(
        user=None,
        desk=desks["HOP"],
        channel="public",
        data=clean_report(
            {
                "kind": "found",
                "person": {"given_name_latin": "Yusuf", "sex": "M", "stated_age": 40},
                "last_seen": {"place": "Road to the market"},
            }
        ),
    )


def _register_again(
    generator: Generator,
    people: list[tuple[SyntheticPerson, Site]],
    admin: Any,
    organisation: Organisation,
    bases: dict[str, str],
    today: date,
) -> None:
    """Some heads of household come back to the desk and are registered again
    alone, by a clerk who writes only the Latin names and takes a stated age:
    the duplicates the review queue is for."""
    for person, block in people:
        data = _person_data(person, today)
        fields = data.fields
        for part in ("given_name", "father_name", "grandfather_name", "family_name"):
            fields[part] = ""
        if fields["birth_date"] is not None:
            fields["stated_age"] = today.year - fields["birth_date"].year
            fields.update(birth_date=None, stated_age_on=today)
        data.document = None
        household_register(
            user=admin,
            organisation=organisation,
            site=block,
            shelter="",
            members=[data],
            bases=bases,
        )


class DemoService(NamedTuple):
    """One service of the demo's directory."""

    organisation: str
    service_type: str
    name: str
    hours: str
    contact: str
    languages: str = "ar, fr"
    capacity: int | None = None
    accepts_children: bool = False
    staff_gender: str = "mixed"
    answer_within_hours: int = 48


S = DemoService
AT_ANY_HOUR = "At any hour, through the caseworker"
# Each camp's directory. Every organisation has services at both camps, so
# that a caseworker of one can refer to another at once (under the agreements below).
SERVICES: dict[str, list[DemoService]] = {
    "AMC": [
        S(
            "CMA",
            "health",
            "Al Amal health centre",
            "Every day 08:00-20:00",
            "Health centre reception, Block A",
            "ar, en",
            accepts_children=True,
        ),
        S(
            "CMA",
            "srh",
            "Maternity and family planning",
            "Sunday-Thursday 08:00-16:00",
            "Health centre, room 4",
            staff_gender="female",
        ),
        S(
            "UNA",
            "clinical_rape",
            "Care after rape (clinical management)",
            "Every day, at any hour",
            "Clinic desk, Block C, or the 24-hour line 1000",
            "ar, fr, en",
            accepts_children=True,
            staff_gender="female",
            answer_within_hours=6,
        ),
        S(
            "PNGO",
            "psychosocial",
            "Women and girls' safe space",
            "Sunday-Thursday 09:00-17:00",
            "Safe space, Block B",
            capacity=30,
            accepts_children=True,
            staff_gender="female",
        ),
        S(
            "PNGO",
            "safe_shelter",
            "Protection Now safe shelter",
            AT_ANY_HOUR,
            "Protection Now duty phone 1001",
            "ar, fr, en",
            12,
            True,
            "female",
            12,
        ),
        S(
            "UNA",
            "legal_aid",
            "Legal aid and documentation desk",
            "Monday-Thursday 09:00-15:00",
            "Protection office, Block A",
            "ar, fr, en",
            answer_within_hours=72,
        ),
        S(
            "PNGO",
            "child_protection",
            "Child protection unit",
            "Every day 08:00-18:00",
            "Child-friendly space, Block D",
            accepts_children=True,
            answer_within_hours=24,
        ),
        S(
            "UNA",
            "family_tracing",
            "Family tracing and reunification",
            "Sunday-Thursday 08:00-16:00",
            "Protection office, Block A",
            "ar, fr, en",
            accepts_children=True,
            answer_within_hours=72,
        ),
        S(
            "CMA",
            "livelihoods",
            "Livelihoods and skills centre",
            "Sunday-Thursday 08:00-14:00",
            "Community centre, Block A",
            "ar, en",
            capacity=40,
            answer_within_hours=120,
        ),
        S(
            "UNA",
            "ddr",
            "DDR reintegration office",
            "Monday and Wednesday 09:00-13:00",
            "Protection office, Block A",
            answer_within_hours=120,
        ),
    ],
    "HOP": [
        S(
            "CMA",
            "health",
            "Hope health post",
            "Every day 08:00-17:00",
            "Health post, gate 1",
            "ar, en",
            accepts_children=True,
        ),
        S(
            "UNA",
            "clinical_rape",
            "Hope clinic: care after rape",
            "Every day, at any hour",
            "Clinic tent, or the 24-hour line 1000",
            accepts_children=True,
            staff_gender="female",
            answer_within_hours=6,
        ),
        S(
            "PNGO",
            "psychosocial",
            "Hope women's safe space",
            "Sunday-Thursday 09:00-15:00",
            "Safe space tent, zone 2",
            capacity=20,
            accepts_children=True,
            staff_gender="female",
        ),
        S(
            "PNGO",
            "safe_shelter",
            "Hope transit shelter",
            AT_ANY_HOUR,
            "Protection Now duty phone 1001",
            capacity=6,
            accepts_children=True,
            staff_gender="female",
            answer_within_hours=12,
        ),
        S(
            "UNA",
            "legal_aid",
            "Mobile legal aid",
            "Tuesdays 09:00-15:00",
            "Reception tent, gate 1",
            "ar, fr, en",
            answer_within_hours=96,
        ),
        S(
            "PNGO",
            "child_protection",
            "Hope child protection desk",
            "Every day 08:00-16:00",
            "Reception tent, gate 1",
            accepts_children=True,
            answer_within_hours=24,
        ),
        S(
            "UNA",
            "family_tracing",
            "Hope family tracing",
            "Wednesdays 09:00-15:00",
            "Reception tent, gate 1",
            accepts_children=True,
            answer_within_hours=72,
        ),
        S(
            "CMA",
            "livelihoods",
            "Hope livelihoods programme",
            "Sunday-Thursday 08:00-13:00",
            "Community tent, zone 1",
            "ar",
            capacity=25,
            answer_within_hours=120,
        ),
    ],
}
# The pathways of each camp: case type, for children, the services' types in order.
PATHWAYS = [
    ("trafficking", False, ["safe_shelter", "health", "psychosocial", "legal_aid", "livelihoods"]),
    ("trafficking", True, ["child_protection", "safe_shelter", "health", "family_tracing"]),
    ("gbv", False, ["clinical_rape", "psychosocial", "safe_shelter", "legal_aid"]),
    ("child_protection", False, ["child_protection", "family_tracing", "health", "psychosocial"]),
]
# Who may send referrals to whom (purpose "referral"): both ways between
# Protection Now and the UN agency, and from Protection Now to camp management.
REFERRAL_AGREEMENTS = [("PNGO", "UNA"), ("UNA", "PNGO"), ("PNGO", "CMA")]


def _service_directory(orgs: dict[str, Organisation]) -> None:
    """Each camp's directory, its referral pathways, and the data-sharing
    agreements a referral between the demo's organisations needs."""
    from datetime import timedelta

    from salama.cases.directory import pathway_step_add, service_save
    from salama.privacy.actions import agreement_create

    admin = get_user_model().objects.get(username="admin")
    for code, services in SERVICES.items():
        site = Site.objects.get(code=code)
        by_type = {}
        for service in services:
            data = {**service._asdict(), "organisation": orgs[service.organisation]}
            by_type[service.service_type] = service_save(user=admin, site=site, data=data)
        for case_type, for_children, kinds in PATHWAYS:
            for kind in kinds:
                pathway_step_add(
                    user=admin,
                    site=site,
                    case_type=case_type,
                    for_children=for_children,
                    service=by_type[kind],
                    note="Call first" if kind == kinds[0] else "",
                )
    today = timezone.localdate()
    for sender, recipient in REFERRAL_AGREEMENTS:
        agreement_create(
            user=admin,
            from_organisation=orgs[sender],
            recipient_kind="organisation",
            to_organisation=orgs[recipient],
            recipient_name="",
            purposes=["referral"],
            sensitivity_classes=["personal", "sensitive", "highly_sensitive"],
            fields=[],
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=730),
            signatory=f"Heads of office of {sender} and {recipient} (demo)",
        )


def _protection_case() -> None:
    """One case the demo caseworker opened from a screening alert, with a plan
    and a consented referral to the UN agency's legal aid waiting for an answer
    (sign in as caseworker.una to answer it)."""
    from salama.cases.actions import (
        Consent,
        Opening,
        ReferralRequest,
        case_open,
        plan_item_add,
        referral_make,
    )
    from salama.cases.models import Service
    from salama.registry.access import persons_for
    from salama.screening.access import alerts_for

    caseworker = get_user_model().objects.get(username="caseworker")
    alert = alerts_for(caseworker).order_by("created_at").first()
    # From a screening alert when the demo's screenings raised one, else directly.
    person = alert.person if alert else persons_for(caseworker).filter(sex="F").first()
    if person is None:
        return
    case = case_open(
        user=caseworker,
        opening=Opening(
            person=person,
            case_type="trafficking",
            risk="high",
            source_kind="screening" if alert else "direct",
            source_id=str(alert.screening_id) if alert else "",
            note="Offered work abroad by a recruiter who visits the camp (demo).",
        ),
    )
    plan_item_add(
        user=caseworker,
        case=case,
        plan_type="safety",
        objective="A safety plan agreed with her",
        actions="Meet weekly at the women's centre",
        due_on=timezone.localdate() + timedelta(days=7),
    )
    service = Service.objects.filter(
        organisation__short_name="UNA", site__code="AMC", service_type="legal_aid"
    ).first()
    if service is not None:
        referral_make(
            user=caseworker,
            case=case,
            request=ReferralRequest(
                service=service,
                consent=Consent(
                    given=True,
                    explained_by="caseworker, in Arabic, with a woman interpreter",
                    language="ar",
                    share=["name", "sex", "age_band", "languages", "reason"],
                ),
                reason="Legal advice on a job contract abroad; prefers a woman lawyer (demo).",
            ),
        )


def _sea_complaint() -> None:
    """One complaint made on the public page to the UN agency's focal point at
    Amal, about a staff member of the NGO, with a photo as evidence; the demo
    prints its receipt code with the logins (/complaints/status/)."""
    from salama.complaints.actions import Intake, complaint_receive
    from salama.core.models import Organisation, Site

    received = complaint_receive(
        intake=Intake(
            organisation=Organisation.objects.get(short_name="UNA"),
            site=Site.objects.get(code="AMC"),
            language="ar",
            relationship="relative",
            contact_preference="none",
            consent_assistance="yes",
            consent_identity="no",
            survivor_age="adult",
            survivor_sex="female",
            survivor_disability="no",
            safety_risk="no",
            category="sexual_exploitation",
            narrative=(
                "A distribution worker told my sister she would get her family's rations "
                "only if she met him alone. (Synthetic demonstration complaint.)"
            ),
            subject_type="ngo_staff",
            subject_in_contact="yes",
            subject_organisation=Organisation.objects.get(short_name="PNGO"),
            incident_place="Distribution centre",
            files=[("note.txt", "text/plain", b"Synthetic evidence file for the demo.\n")],
        ),
        channel="online",
    )
    DEMO_NOTES.append(f"SEA complaint receipt code (open /complaints/status/): {received.code}")


# Weekly counts of an indicator at Al Amal over half a year, the last one high:
# the detector, not the demo, decides that it alarms.
WARNING_HISTORY = [0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0]


def _early_warning() -> None:
    """Half a year of screening counts at Al Amal with a rise in survival sex last
    week and in offers of marriage this week, scored by the early-warning job as it
    runs every day; the protection officer verified the first (confirmed) and found
    the second a false alarm. A peacekeeping base near the camp is their context."""
    from decimal import Decimal

    from salama.screening.models import IndicatorCount
    from salama.warning import actions as warning
    from salama.warning.access import alerts_at
    from salama.warning.signals import monday

    camp = Site.objects.get(code="AMC")
    this_week = monday(timezone.localdate())
    officer = get_user_model().objects.get(username="protection")
    recent = {"survival_sex": [8, 0], "offer_marriage": [0, 7]}  # last week, this week
    for indicator, weeks_last_two in recent.items():
        weeks = [*WARNING_HISTORY, *weeks_last_two]
        for back, n in enumerate(reversed(weeks)):
            if n:
                IndicatorCount.objects.create(
                    site_path=camp.path,
                    week=this_week - timedelta(weeks=back),
                    sex="f",
                    age_group="adult",
                    instrument="salama-vulnerability",
                    indicator=indicator,
                    count=n,
                )
    warning.alerts_raise()
    findings = {
        "survival_sex": ("confirmed", "Outreach confirmed a rise after food rations were cut."),
        "marriage_offer": ("false_alarm", "A screening campaign for girls that week."),
    }
    for alert in alerts_at(camp, list(findings)):
        outcome, finding = findings[alert.signal]
        warning.alert_verify(user=officer, alert=alert, outcome=outcome, finding=finding)
    warning.risk_factor_add(
        user=officer,
        site=camp,
        data={"kind": "peacekeeping", "name": "Demo base", "distance_km": Decimal("4.5")},
    )


def _participation() -> None:
    """Two sessions with women at Al Amal this month and last, one with
    survivors, and the camp committee's make-up: the participation pillar."""
    from salama.reports import actions as reports

    camp = Site.objects.get(code="AMC")
    officer = get_user_model().objects.get(username="protection")
    today = timezone.localdate()
    sessions = [
        (
            "consultation",
            today - timedelta(days=30),
            {"women": 14, "girls": 6, "men": 0, "boys": 0},
            False,
            "Safety at the water points after dark; lighting.",
            "Two more lights by the water points; women's patrol on Thursdays.",
        ),
        (
            "feedback",
            today - timedelta(days=3),
            {"women": 9, "girls": 0, "men": 0, "boys": 0},
            True,
            "How the referral to the health clinic went; waiting times.",
            "A women-only morning at the clinic each week.",
        ),
    ]
    for kind, held_on, counts, survivors, topics, decisions in sessions:
        data = {"kind": kind, "held_on": held_on, "with_survivors": survivors, **counts}
        reports.consultation_record(
            user=officer, site=camp, data={**data, "topics": topics, "decisions": decisions}
        )
    reports.committee_record(
        user=officer,
        site=camp,
        data={
            "name": "Camp committee",
            "as_of": today - timedelta(days=60),
            "members": 12,
            "women": 5,
        },
    )


DEMO_NOTES: list[str] = []


def _civil_registrations() -> None:
    """At the Amal desk: a registered marriage with its registration record,
    the birth of the couple's child (now in the registry), and a marriage of a
    16-year-old girl refused, which opened a child-protection case for the
    NGO's caseworker."""
    from salama.civil.actions import Declaration, PartyInput, event_declare, event_register
    from salama.civil.certificates import certificate_issue
    from salama.registry.access import persons_for

    registrar = get_user_model().objects.get(username="civilregistrar")
    today = timezone.localdate()
    adults = persons_for(registrar).filter(
        birth_date__lte=today - timedelta(days=25 * 366),
        birth_date__gte=today - timedelta(days=40 * 366),
    )
    bride, groom = adults.filter(sex="F").first(), adults.filter(sex="M").first()
    girl = (
        persons_for(registrar)
        .filter(
            sex="F",
            birth_date__gt=today - timedelta(days=17 * 365),
            birth_date__lte=today - timedelta(days=16 * 366),
        )
        .first()
    )
    if bride is None or groom is None:
        return
    witnesses = [
        PartyInput("witness", None, "Khaled Yousef"),
        PartyInput("witness", None, "Samir Nasser"),
    ]
    married = event_declare(
        user=registrar,
        declaration=Declaration(
            event_type="marriage",
            event_date=today - timedelta(days=300),
            place="Sharia court, Al Amal",
            officiant_kind="religious_court",
            officiant_name="Sharia court of Al Amal",
            parties=[PartyInput("spouse", bride), PartyInput("spouse", groom), *witnesses],
        ),
    ).event
    if married is not None:
        certificate_issue(user=registrar, event=event_register(user=registrar, event=married))
    born = event_declare(
        user=registrar,
        declaration=Declaration(
            event_type="birth",
            event_date=today - timedelta(days=12),
            place="Al Amal health centre",
            officiant_kind="health_facility",
            officiant_name="Al Amal health centre",
            parties=[PartyInput("mother", bride), PartyInput("father", groom)],
            details={
                "child_given_name": "ليلى",
                "child_given_name_latin": "Layla",
                "child_sex": "F",
            },
        ),
    ).event
    if born is not None:
        certificate_issue(user=registrar, event=event_register(user=registrar, event=born))
    if girl is not None:
        event_declare(
            user=registrar,
            declaration=Declaration(
                event_type="marriage",
                event_date=today,
                place="Sharia court, Al Amal",
                parties=[PartyInput("spouse", girl), PartyInput("spouse", groom), *witnesses],
                presented_by="parents",
            ),
        )
