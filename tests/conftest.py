"""Fixed personas and a small world: two camps of one country, three
organisations, one user per role. Tests sign in with a verified second factor,
as production requires."""

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from salama.audit.models import AuditEntry
from salama.core.actions import api_token_create, site_create
from salama.core.models import Membership, Organisation, Site
from salama.core.roles import Role
from salama.registry.actions import PersonData, household_register
from salama.registry.forms import DEFAULT_BASES
from salama.registry.models import Household, Person

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    cma: Organisation
    ngo: Organisation
    un: Organisation
    country: Site
    amc: Site
    amc_block: Site
    hop: Site
    hop_block: Site
    users: dict[str, User]

    def user(self, name: str) -> User:
        return self.users[name]


# name: (role, organisation attribute, site attributes)
PERSONAS: dict[str, tuple[Role, str, tuple[str, ...]]] = {
    "registrar": (Role.REGISTRATION_OFFICER, "cma", ("amc",)),
    "registrar_hop": (Role.REGISTRATION_OFFICER, "cma", ("hop",)),
    "tracer": (Role.TRACING_OFFICER, "un", ("amc",)),
    "caseworker": (Role.CASEWORKER, "ngo", ("amc",)),
    "caseworker_hop": (Role.CASEWORKER, "ngo", ("hop",)),
    "civilregistrar": (Role.CIVIL_REGISTRAR, "cma", ("amc",)),
    "psea": (Role.PSEA_FOCAL_POINT, "un", ("amc",)),
    "protection": (Role.PROTECTION_OFFICER, "ngo", ("amc",)),
    "analyst": (Role.ANALYST, "un", ("amc",)),
    "admin": (Role.ADMINISTRATOR, "cma", ("country",)),
    "admin_hop": (Role.ADMINISTRATOR, "ngo", ("hop",)),
    # The same roles at Amal in other organisations: the organisation axis of
    # the access grid (case data and registry changes stay within one).
    "caseworker_un": (Role.CASEWORKER, "un", ("amc",)),
    "protection_un": (Role.PROTECTION_OFFICER, "un", ("amc",)),
    "registrar_ngo": (Role.REGISTRATION_OFFICER, "ngo", ("amc",)),
    "admin_un": (Role.ADMINISTRATOR, "un", ("amc",)),
    "dpo": (Role.DATA_PROTECTION_OFFICER, "cma", ("amc",)),
}


@pytest.fixture
def world(db: Any) -> World:
    cma = Organisation.objects.create(
        name="Camp Management", short_name="CMA", kind="camp_management"
    )
    ngo = Organisation.objects.create(name="Protection NGO", short_name="PNGO", kind="ngo")
    un = Organisation.objects.create(name="UN agency", short_name="UNA", kind="un")
    country = site_create(name="Demoland", code="DL", level="country")
    amc = site_create(name="Amal", code="AMC", level="site", parent=country, kind="camp")
    amc_zone = site_create(name="Amal Z1", code="AMC-Z1", level="zone", parent=amc)
    amc_block = site_create(name="Amal Z1A", code="AMC-Z1A", level="block", parent=amc_zone)
    hop = site_create(name="Hope", code="HOP", level="site", parent=country, kind="camp")
    hop_zone = site_create(name="Hope Z1", code="HOP-Z1", level="zone", parent=hop)
    hop_block = site_create(name="Hope Z1A", code="HOP-Z1A", level="block", parent=hop_zone)
    w = World(cma, ngo, un, country, amc, amc_block, hop, hop_block, {})
    w.users = _personas(w)
    return w


def _personas(w: World) -> dict[str, User]:
    """The personas in five queries, not through user_create (about 150
    queries and 32 audit entries): the world is set up for almost every test,
    and on PostgreSQL that alone took minutes of the suite. What user_create
    checks and audits is tested in test_administration.py."""
    password = make_password(PASSWORD)
    users = User.objects.bulk_create([User(username=name, password=password) for name in PERSONAS])
    by_name = {u.username: u for u in users}
    memberships = Membership.objects.bulk_create(
        [
            Membership(user=by_name[name], organisation=getattr(w, org), role=role.value)
            for name, (role, org, _sites) in PERSONAS.items()
        ]
    )
    Membership.sites.through.objects.bulk_create(
        [
            Membership.sites.through(membership_id=m.pk, site_id=getattr(w, s).pk)
            for m, (_role, _org, sites) in zip(memberships, PERSONAS.values(), strict=True)
            for s in sites
        ]
    )
    return by_name


def person_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "given_name": "محمد",
        "father_name": "علي",
        "grandfather_name": "",
        "family_name": "الحسن",
        "given_name_latin": "Mohammed",
        "father_name_latin": "Ali",
        "grandfather_name_latin": "",
        "family_name_latin": "Al-Hassan",
        "sex": "M",
        "relationship": "head",
        "birth_date": date(1985, 3, 1),
        "birth_date_estimated": False,
        "stated_age": None,
        "stated_age_on": None,
        "nationality": "SY",
        "origin_country": "SY",
        "origin_admin1": "Homs",
        "origin_place": "Al-Qusayr",
        "languages": ["ar"],
        "phone": "",
        "specific_needs": [],
    }
    fields.update(overrides)
    return fields


def register(
    world: World, block: Site, *people: dict[str, Any], bases: dict[str, str] | None = None
) -> Household:
    members = [PersonData(fields=p) for p in (people or (person_fields(),))]
    return household_register(
        user=world.user("admin"),
        organisation=world.cma,
        site=block,
        shelter="A-001",
        members=members,
        bases=bases or {k: v for k, v in DEFAULT_BASES.items() if v},
    )


@pytest.fixture
def amc_person(world: World) -> Person:
    return register(world, world.amc_block).members.get()


@pytest.fixture
def hop_person(world: World) -> Person:
    return register(world, world.hop_block, person_fields(given_name_latin="Omar")).members.get()


def signed_in(user: User) -> Client:
    """A browser session that has passed both factors."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def with_two_factor(user: User) -> User:
    """The user with a confirmed authenticator, as a token's owner needs."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def token_for(user: User, name: str = "test", scopes: tuple[str, ...] = ("read", "write")) -> Any:
    """(token, raw value) of a new bearer token for the user (given two-factor)."""
    return api_token_create(user=with_two_factor(user), name=name, scopes=scopes)


def bearer(user: User, scopes: tuple[str, ...] = ("read", "write")) -> dict[str, str]:
    _token, raw = token_for(user, scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


GUARD = importlib.import_module("salama.audit.migrations.0003_keyed_chain")


@contextmanager
def audit_guard_removed() -> Iterator[None]:
    """Remove the append-only triggers for a while, as someone with direct
    database access could; they are put back afterwards."""
    drop, create = {
        "sqlite": (GUARD.SQLITE_REVERSE, GUARD.SQLITE),
        "postgresql": (GUARD.POSTGRES_REVERSE, GUARD.POSTGRES),
    }[connection.vendor]
    with connection.cursor() as cursor:
        for statement in drop:
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in create:
                cursor.execute(statement)


@pytest.fixture
def flushable_audit(transactional_db: Any) -> Iterator[None]:
    """For tests that commit: empty the audit trail afterwards so that the
    test database can be flushed (SQLite flushes with DELETE)."""
    yield
    with audit_guard_removed():
        AuditEntry.objects.all().delete()


@pytest.fixture(autouse=True)
def audit_checkpoints_apart(settings: Any, tmp_path_factory: Any) -> None:
    """Each test keeps its own audit checkpoints: one written in a test (by a
    scheduled job) must not outlive the database it was taken of."""
    settings.SALAMA_AUDIT_CHECKPOINT_DIR = tmp_path_factory.mktemp("audit-checkpoints")


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache (the match prior caches counts)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def desk(world: World) -> Any:
    """Amal's missing-persons desk, kept by the UN agency (the tracer's and
    protection_un's organisation)."""
    from salama.tracing.models import Desk

    return Desk.objects.create(
        site=world.amc, organisation=world.un, place="Block C, by the clinic", hours="08:00-17:00"
    )


@pytest.fixture
def un_service(world: World) -> Any:
    """A psychosocial service of the UN agency at Amal (caseworker_un and
    protection_un receive its referrals)."""
    from salama.cases.models import Service

    return Service.objects.create(
        site=world.amc,
        site_path=world.amc.path,
        organisation=world.un,
        name="Women's centre counselling",
        service_type="psychosocial",
        languages="ar, en",
        answer_within_hours=48,
    )


@pytest.fixture
def referral_agreement(world: World) -> Any:
    """The NGO may refer people to the UN agency's services."""
    from salama.privacy.models import SharingAgreement

    return SharingAgreement.objects.create(
        from_organisation=world.ngo,
        to_organisation=world.un,
        recipient_kind="organisation",
        purposes=["referral"],
        starts_on=date(2026, 1, 1),
        ends_on=date(2030, 12, 31),
        signatory="Heads of office",
        created_by=world.user("admin"),
    )


def _years_ago(years: int) -> date:
    from django.utils import timezone

    today = timezone.localdate()
    return today.replace(year=today.year - years)


@pytest.fixture
def cp_service(world: World) -> Any:
    """The NGO's child-protection service at Amal: its caseworkers take the
    cases a stopped marriage opens."""
    from salama.cases.models import Service

    return Service.objects.create(
        site=world.amc,
        site_path=world.amc.path,
        organisation=world.ngo,
        name="Child protection unit",
        service_type="child_protection",
        languages="ar",
        answer_within_hours=24,
    )


@pytest.fixture
def couple(world: World) -> tuple[Person, Person]:
    """A woman and a man of Amal, adults, in two households."""
    bride = register(
        world,
        world.amc_block,
        person_fields(
            given_name="سلمى", given_name_latin="Salma", sex="F", birth_date=_years_ago(22)
        ),
    ).members.get()
    groom = register(world, world.amc_block, person_fields(birth_date=_years_ago(25))).members.get()
    # Long settled at the site: no "soon after arrival" flag unless a test wants one.
    from datetime import timedelta

    from django.utils import timezone

    Household.objects.filter(pk__in=[bride.household_id, groom.household_id]).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    return Person.objects.get(pk=bride.pk), Person.objects.get(pk=groom.pk)


@pytest.fixture(autouse=True)
def default_language() -> Iterator[None]:
    """Each test starts in the default language: a request served in Arabic
    leaves Arabic active in the thread, which a later test's sentences (built
    outside a request) would otherwise be written in."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def public_address(settings: Any) -> None:
    """Documents print the deployment's address: tests have one (a test that
    needs none sets it empty)."""
    if not settings.SALAMA_BASE_URL:
        settings.SALAMA_BASE_URL = "http://testserver"


# The complaint personas (tests/test_complaints.py): a second organisation's focal
# point, the NGO's investigation focal point, the network's coordinator, and a
# second focal point of the receiving UN agency.
EXTRA: dict[str, tuple[Role, str, str]] = {
    "psea_ngo": (Role.PSEA_FOCAL_POINT, "ngo", "amc"),
    "investigator": (Role.INVESTIGATION_FOCAL_POINT, "ngo", "amc"),
    "coordinator": (Role.PSEA_COORDINATOR, "un", "country"),
    "psea_two": (Role.PSEA_FOCAL_POINT, "un", "amc"),
}


@pytest.fixture
def wall(world: World) -> World:
    """The complaint personas beside the world's; the NGO caseworker is Karim Haddad."""
    for name, (role, org, site) in EXTRA.items():
        user = User.objects.create_user(name, password=PASSWORD)
        membership = Membership.objects.create(
            user=user, organisation=getattr(world, org), role=role.value
        )
        membership.sites.add(getattr(world, site))
        world.users[name] = user
    subject = world.user("caseworker")
    subject.first_name, subject.last_name = "Karim", "Haddad"
    subject.save()
    return world


@pytest.fixture
def support(world: World) -> Any:
    """The NGO's psychosocial service at Amal (assistance referrals)."""
    from salama.cases.models import Service

    return Service.objects.create(
        site=world.amc,
        site_path=world.amc.path,
        organisation=world.ngo,
        name="Women's centre",
        service_type="psychosocial",
        answer_within_hours=24,
    )
