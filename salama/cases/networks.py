"""Alleged exploiters recorded on protection cases, and the networks they reveal.

A case records who exploited or recruited the person (names in either
script, phones, vehicles, places, an organisation, armed group unit or
mission), never the person as an offender (Security Council resolution 2388,
para 17): a name that is the person's own is refused. Cases of one
organisation that share a phone, a vehicle or a matching name are linked
(salama.lib.networks) and shown to that organisation's protection officers
with each link explained. Nothing here produces a list of victims for anyone,
and nothing is exported.

Phones and plates are stored encrypted; the plain columns hold keyed digests
(HMAC with the deployment's secret key) of their normalised forms, so that
exact links need no decryption and the digests say nothing without the key."""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from salama.audit.actions import audit_record, record_list_read
from salama.cases import access
from salama.cases.models import AllegedExploiter, CaseEvent, ProtectionCase
from salama.core import access as core_access
from salama.core.roles import Perm
from salama.lib import networks

PURPOSE = access.PURPOSE
MODEL = "cases.AllegedExploiter"
DIGEST_SALT = "salama.cases.exploiter"
MAX_ITEMS = 10  # names, phones, vehicles or places on one record
MAX_ITEM = 200
MAX_TEXT = 4000
LIST_FIELDS = ("names", "phones", "vehicles", "places")
TEXT_FIELDS = ("affiliation", "description")


class ExploiterError(ValueError):
    """A record that cannot be kept, with a message for the user (it never
    quotes what was entered: phones and names stay out of logs)."""


def digest(kind: str, normalised: str) -> str:
    """The keyed digest of a normalised phone or plate."""
    return salted_hmac(DIGEST_SALT, f"{kind}:{normalised}", algorithm="sha256").hexdigest()


def _items(data: Mapping[str, Any], name: str) -> list[str]:
    value = data.get(name) or []
    if isinstance(value, str):
        value = value.splitlines()
    out = list(dict.fromkeys(" ".join(str(v).split()) for v in value if str(v).strip()))
    if len(out) > MAX_ITEMS:
        raise ExploiterError(_("At most %(count)d entries per field.") % {"count": MAX_ITEMS})
    if any(len(v) > MAX_ITEM for v in out):
        raise ExploiterError(
            _("An entry is longer than %(count)d characters.") % {"count": MAX_ITEM}
        )
    return out


def _text(data: Mapping[str, Any], name: str) -> str:
    text = str(data.get(name) or "").strip()
    if len(text) > MAX_TEXT:
        raise ExploiterError(_("A text is longer than %(count)d characters.") % {"count": MAX_TEXT})
    return text


def _keys(values: list[str], kind: str) -> list[str]:
    keys = []
    for number, value in enumerate(values, 1):
        key = networks.phone_key(value) if kind == "phone" else networks.plate_key(value)
        if not key:
            if kind == "phone":
                message = _(
                    "Phone %(number)d is not a number that can be compared: "
                    "it needs at least %(digits)d digits."
                ) % {"number": number, "digits": networks.MIN_PHONE_DIGITS}
            else:
                message = _("Vehicle %(number)d has no letters or digits of a plate.") % {
                    "number": number
                }
            raise ExploiterError(message)
        keys.append(digest(kind, key))
    return sorted(set(keys))


def _persons_names(case: ProtectionCase) -> list[str]:
    person = case.person
    return [n for n in (person.name("latin"), person.name("original")) if n]


def clean(case: ProtectionCase, data: Mapping[str, Any]) -> dict[str, Any]:
    """The record's fields from the form's or the API's data; ExploiterError
    names the first problem."""
    part = str(data.get("part") or "")
    if part not in AllegedExploiter.Part.values:
        raise ExploiterError(_("Choose the part the person played."))
    fields: dict[str, Any] = {"part": part}
    for name in LIST_FIELDS:
        fields[name] = _items(data, name)
    for name in TEXT_FIELDS:
        fields[name] = _text(data, name)
    if not any(fields[name] for name in (*LIST_FIELDS, *TEXT_FIELDS)):
        raise ExploiterError(
            _(
                "Give at least one detail: a name, a phone, a vehicle, a place, "
                "an organisation or unit, or a description."
            )
        )
    fields["phone_keys"] = _keys(fields["phones"], "phone")
    fields["vehicle_keys"] = _keys(fields["vehicles"], "vehicle")
    # Resolution 2388, para 17: the person is never recorded as an offender.
    own = _persons_names(case)
    if any(networks.names_match(name, mine) for name in fields["names"] for mine in own):
        raise ExploiterError(
            _(
                "A name given is the name of the person this case is about. A victim is "
                "never recorded as an offender: record only the people who exploited or "
                "recruited them."
            )
        )
    return fields


@transaction.atomic
def exploiter_record(
    *, user: Any, case: ProtectionCase, data: Mapping[str, Any]
) -> AllegedExploiter:
    """Record an alleged exploiter on a case fetched through cases.access
    (CASE_WORK). Bad input raises ExploiterError and writes nothing."""
    case = access.case_for_update(case)
    if case.status != ProtectionCase.Status.OPEN:
        raise ExploiterError(_("The case is closed: reopen it to record an alleged exploiter."))
    fields = clean(case, data)
    now = timezone.now()
    exploiter = AllegedExploiter.objects.create(
        case=case, organisation_id=case.organisation_id, recorded_by=user, recorded_at=now, **fields
    )
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.EXPLOITER,
        user=user,
        at=now,
        note=str(AllegedExploiter.Part(fields["part"]).label),  # never a name
    )
    audit_record(
        user=user,
        action="create",
        purpose=PURPOSE,
        model=MODEL,
        record_id=exploiter.pk,
        changed_fields=[k for k, v in fields.items() if v],
    )
    return exploiter


@transaction.atomic
def exploiter_remove(*, user: Any, exploiter: AllegedExploiter) -> None:
    """Remove a record entered by mistake (one of exploiters_of(case))."""
    case = access.case_for_update(exploiter.case)
    record_id = exploiter.pk
    exploiter.delete()
    CaseEvent.objects.create(
        case=case,
        kind=CaseEvent.Kind.EXPLOITER,
        user=user,
        at=timezone.now(),
        note=_("A record of an alleged exploiter was removed."),
    )
    audit_record(user=user, action="delete", purpose=PURPOSE, model=MODEL, record_id=record_id)


def exploiters_of(case: ProtectionCase) -> QuerySet[AllegedExploiter]:
    """The alleged exploiters of a case fetched through cases.access."""
    return AllegedExploiter.objects.filter(case_id=case.pk).order_by("recorded_at", "pk")


def read_exploiters(user: Any, case: ProtectionCase) -> list[AllegedExploiter]:
    """exploiters_of(case) for a page, the read audited."""
    found = list(exploiters_of(case))
    record_list_read(user, found, model=MODEL, purpose=PURPOSE)
    return found


# ---- Clusters ----


@dataclass
class CaseInCluster:
    case: ProtectionCase
    exploiters: list[AllegedExploiter] = field(default_factory=list)


@dataclass
class LinkShown:
    kind: str  # networks.PHONE, VEHICLE or NAME
    left: ProtectionCase
    right: ProtectionCase
    left_name: str = ""
    right_name: str = ""
    score: float = 1.0


@dataclass
class ClusterShown:
    organisation: Any
    cases: list[CaseInCluster]
    links: list[LinkShown]


def scoped_exploiters(user: Any) -> QuerySet[AllegedExploiter]:
    """Alleged exploiters of the cases of the user's organisations at the
    sites where the user holds NETWORK_VIEW there (per membership)."""
    scope = core_access.site_scope(
        user, Perm.NETWORK_VIEW, "case__site_path", organisation_field="organisation_id"
    )
    if scope is None:
        return AllegedExploiter.objects.none()
    return AllegedExploiter.objects.filter(scope).select_related(
        "case", "case__site", "organisation"
    )


def _clusters_of(rows: list[AllegedExploiter]) -> list[ClusterShown]:
    by_id: dict[Hashable, AllegedExploiter] = {row.pk: row for row in rows}
    cases: dict[Hashable, ProtectionCase] = {row.case_id: row.case for row in rows}
    records = [
        networks.Record(row.pk, row.case_id, row.names, row.phone_keys, row.vehicle_keys)
        for row in rows
    ]
    shown = []
    for cluster in networks.find_clusters(records):
        members = {case_id: CaseInCluster(cases[case_id]) for case_id in cluster.cases}
        for record_id in cluster.records:
            row = by_id[record_id]
            members[row.case_id].exploiters.append(row)
        links = [
            LinkShown(
                link.kind,
                cases[link.left_case],
                cases[link.right_case],
                link.left_name,
                link.right_name,
                link.score,
            )
            for link in cluster.links
        ]
        ordered = sorted(members.values(), key=lambda m: m.case.reference)
        shown.append(ClusterShown(rows[0].organisation, ordered, links))
    return shown


def clusters_for(user: Any) -> list[ClusterShown]:
    """The clusters of linked cases the user may see, one organisation at a
    time: another organisation's cases never join a cluster. The read of the
    alleged exploiters and cases shown is audited."""
    by_organisation: dict[int, list[AllegedExploiter]] = {}
    for row in scoped_exploiters(user).order_by("organisation_id", "recorded_at", "pk"):
        by_organisation.setdefault(row.organisation_id, []).append(row)
    shown = [c for rows in by_organisation.values() for c in _clusters_of(rows)]
    _audit_shown(user, shown)
    return shown


def _audit_shown(user: Any, shown: Iterable[ClusterShown]) -> None:
    shown = list(shown)
    record_list_read(
        user,
        [e for c in shown for m in c.cases for e in m.exploiters],
        model=MODEL,
        purpose=PURPOSE,
    )
    record_list_read(
        user,
        [m.case for c in shown for m in c.cases],
        model="cases.ProtectionCase",
        purpose=PURPOSE,
    )
