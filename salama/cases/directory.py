"""Writes of the service directory and the referral pathways, kept by the
coordinators of a site (Perm.SERVICE_KEEP: protection officers and
administrators). A keeper keeps the directory of every organisation at their
sites, and nowhere else. Each write is atomic and audited (purpose
"protection"); a refused one raises DirectoryError and writes nothing.

Services are never deleted: referrals point at them. A deactivated service
leaves the directory and the pathways it was in."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from salama.audit.actions import audit_record
from salama.cases.models import CaseType, PathwayStep, Service, ServiceType
from salama.cases.selectors_directory import keeps_site, reachable_from
from salama.core.models import Organisation, Site

PURPOSE = "protection"
MAX_ANSWER_HOURS = 24 * 30
MAX_CAPACITY = 100_000
TEXT_LIMITS = {"name": 200, "languages": 100, "hours": 200, "contact": 200}
SERVICE_FIELDS = (
    "name",
    "service_type",
    "organisation",
    "languages",
    "hours",
    "capacity",
    "contact",
    "accepts_children",
    "staff_gender",
    "answer_within_hours",
)


class DirectoryError(ValueError):
    """A directory or pathway change that cannot be made, with a message for
    the user and the field it is about ("" for the whole change)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ServiceData:
    """A service's fields, checked: what service_save writes."""

    name: str
    service_type: str
    organisation: Organisation
    languages: str = ""
    hours: str = ""
    capacity: int | None = None
    contact: str = ""
    accepts_children: bool = False
    staff_gender: str = Service.StaffGender.MIXED
    answer_within_hours: int = 48


def _audit(user: Any, action: str, model: str, record_id: Any, changed: Any = ()) -> None:
    audit_record(
        user=user,
        action=action,
        purpose=PURPOSE,
        model=f"cases.{model}",
        record_id=record_id,
        changed_fields=changed,
    )


def _require_keeper(user: Any, site: Site) -> None:
    if not keeps_site(user, site.path):
        raise DirectoryError(_("You do not keep the service directory of this site."), "site")


def clean_service(data: dict[str, Any]) -> ServiceData:
    """The service's fields from `data`, or DirectoryError naming the first
    field that is wrong. Never repeats the value given."""
    name = str(data.get("name") or "").strip()
    if not name:
        raise DirectoryError(_("Give the service a name."), "name")
    for field, limit in TEXT_LIMITS.items():
        if len(str(data.get(field) or "").strip()) > limit:
            raise DirectoryError(
                _("At most %(limit)d characters.") % {"limit": limit},
                field,
            )
    service_type = str(data.get("service_type") or "")
    if service_type not in ServiceType.values:
        raise DirectoryError(_("Choose the type of service from the list."), "service_type")
    organisation = data.get("organisation")
    if not isinstance(organisation, Organisation) or organisation.pk is None:
        raise DirectoryError(
            _("Choose the organisation that provides the service."), "organisation"
        )
    staff_gender = str(data.get("staff_gender") or Service.StaffGender.MIXED)
    if staff_gender not in Service.StaffGender.values:
        raise DirectoryError(_("Choose who the service's staff are from the list."), "staff_gender")
    capacity = data.get("capacity")
    if capacity is not None and (
        not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 0
    ):
        raise DirectoryError(_("The capacity is a whole number, or empty."), "capacity")
    if capacity is not None and capacity > MAX_CAPACITY:
        raise DirectoryError(_("The capacity is too large."), "capacity")
    within = data.get("answer_within_hours", 48)
    if (
        not isinstance(within, int)
        or isinstance(within, bool)
        or not 1 <= within <= MAX_ANSWER_HOURS
    ):
        raise DirectoryError(
            _("Referrals are answered within 1 to %(most)d hours.") % {"most": MAX_ANSWER_HOURS},
            "answer_within_hours",
        )
    return ServiceData(
        name=name,
        service_type=service_type,
        organisation=organisation,
        languages=_languages(str(data.get("languages") or "")),
        hours=str(data.get("hours") or "").strip(),
        capacity=capacity,
        contact=str(data.get("contact") or "").strip(),
        accepts_children=bool(data.get("accepts_children")),
        staff_gender=staff_gender,
        answer_within_hours=within,
    )


def _languages(text: str) -> str:
    """ "ar,  FR ,en" -> "ar, fr, en": codes or names as given, tidied."""
    parts = [p.strip() for p in text.replace(";", ",").split(",")]
    seen = dict.fromkeys(p.lower() if len(p) <= 3 else p for p in parts if p)
    return ", ".join(seen)


@transaction.atomic
def service_save(
    *, user: Any, site: Site, data: dict[str, Any], service: Service | None = None
) -> Service:
    """Add a service to a site's directory, or change one (also moving it to
    another site). The keeper keeps the directory of the site, and of the
    service's present site when it is moved; the service may be of any
    organisation."""
    _require_keeper(user, site)
    fields = clean_service(data)
    if service is None:
        created = Service.objects.create(
            site=site,
            site_path=site.path,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            **{f: getattr(fields, f) for f in SERVICE_FIELDS},
        )
        _audit(user, "create", "Service", created.pk)
        return created
    service = Service.objects.select_for_update().get(pk=service.pk)
    if not service.active:
        raise DirectoryError(_("This service is no longer in the directory."))
    if not keeps_site(user, service.site_path):
        raise DirectoryError(_("You do not keep the service directory of this site."), "site")
    if fields.organisation.pk != service.organisation_id:
        # Referrals to a service go to its organisation: changing it would send
        # the next person to another organisation than the one chosen.
        raise DirectoryError(
            _(
                "A service's organisation cannot change: deactivate this service and add "
                "the other organisation's."
            ),
            "organisation",
        )
    changed = [f for f in SERVICE_FIELDS if getattr(service, f) != getattr(fields, f)]
    if service.site_id != site.pk:
        changed += ["site", "site_path"]
    steps = PathwayStep.objects.filter(service=service)
    if service.accepts_children and not fields.accepts_children:
        child_steps = steps.filter(for_children=True).select_related("site")
        if child_steps.exists():
            raise DirectoryError(
                _(
                    "The service is in a pathway for children (%(sites)s): take it out of "
                    "that pathway first, or keep it accepting children."
                )
                % {"sites": ", ".join(sorted({s.site.code for s in child_steps}))},
                "accepts_children",
            )
    if "site" in changed:
        outside = [s for s in steps.select_related("site") if not reachable_from(s.site, site)]
        if outside:
            raise DirectoryError(
                _(
                    "The service is in pathways of %(sites)s, which could no longer reach it "
                    "at the new site: take it out of those pathways first."
                )
                % {"sites": ", ".join(sorted({s.site.code for s in outside}))},
                "site",
            )
    if not changed:
        return service
    for f in SERVICE_FIELDS:
        setattr(service, f, getattr(fields, f))
    service.site, service.site_path = site, site.path
    service.save(update_fields=[*dict.fromkeys(changed)])
    _audit(user, "update", "Service", service.pk, changed)
    return service


@transaction.atomic
def service_deactivate(*, user: Any, service: Service) -> Service:
    """Take a service out of the directory and out of every pathway. The
    record stays, for the referrals made to it."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    if not keeps_site(user, service.site_path):
        raise DirectoryError(_("You do not keep the service directory of this site."), "site")
    if not service.active:
        raise DirectoryError(_("This service is no longer in the directory."))
    steps = list(PathwayStep.objects.filter(service=service))
    for step in steps:
        _remove_step(user, step)
    service.active = False
    service.save(update_fields=["active"])
    _audit(user, "update", "Service", service.pk, ["active"])
    return service


def _pathway(step: PathwayStep) -> Any:
    return PathwayStep.objects.filter(
        site_id=step.site_id, case_type=step.case_type, for_children=step.for_children
    )


def _renumber(user: Any, steps: list[PathwayStep]) -> None:
    for rank, step in enumerate(steps, start=1):
        if step.rank != rank:
            step.rank = rank
            step.save(update_fields=["rank"])
            _audit(user, "update", "PathwayStep", step.pk, ["rank"])


@transaction.atomic
def pathway_step_add(
    *,
    user: Any,
    site: Site,
    case_type: str,
    for_children: bool,
    service: Service,
    note: str = "",
) -> PathwayStep:
    """Add a service at the end of a site's pathway for a case type (the
    children's pathway with `for_children`)."""
    _require_keeper(user, site)
    if case_type not in CaseType.values:
        raise DirectoryError(_("Choose the case type from the list."), "case_type")
    note = note.strip()
    if len(note) > 200:
        raise DirectoryError(_("At most %(limit)d characters.") % {"limit": 200}, "note")
    service = Service.objects.select_for_update().get(pk=service.pk)
    if not service.active:
        raise DirectoryError(_("This service is no longer in the directory."), "service")
    if not reachable_from(service.site, site):
        raise DirectoryError(
            _("A pathway calls services of its own site, or of the sites above or below it."),
            "service",
        )
    if service.service_type == ServiceType.LAW_ENFORCEMENT:
        raise DirectoryError(
            _(
                "The police and other authorities are never a step of a pathway: a referral "
                "to them is its own decision, with its own consent."
            ),
            "service",
        )
    if for_children and not service.accepts_children:
        raise DirectoryError(
            _("This service does not accept children: it cannot be in a pathway for children."),
            "service",
        )
    pathway = PathwayStep.objects.select_for_update().filter(
        site=site, case_type=case_type, for_children=for_children
    )
    if pathway.filter(service=service).exists():
        raise DirectoryError(_("The service is already in this pathway."), "service")
    last = pathway.aggregate(last=Max("rank"))["last"] or 0
    step = PathwayStep.objects.create(
        site=site,
        case_type=case_type,
        for_children=for_children,
        rank=last + 1,
        service=service,
        note=note,
    )
    _audit(user, "create", "PathwayStep", step.pk)
    return step


def _remove_step(user: Any, step: PathwayStep) -> None:
    rest = list(_pathway(step).select_for_update().exclude(pk=step.pk).order_by("rank", "pk"))
    step_id = step.pk
    step.delete()
    _audit(user, "delete", "PathwayStep", step_id)
    _renumber(user, rest)


@transaction.atomic
def pathway_step_remove(*, user: Any, step: PathwayStep) -> None:
    """Take a service out of a pathway; the steps after it move up."""
    step = PathwayStep.objects.select_for_update().select_related("site").get(pk=step.pk)
    _require_keeper(user, step.site)
    _remove_step(user, step)


@transaction.atomic
def pathway_step_move(*, user: Any, step: PathwayStep, direction: str) -> PathwayStep:
    """Call a service one place earlier ("up") or later ("down") in its pathway."""
    step = PathwayStep.objects.select_for_update().select_related("site").get(pk=step.pk)
    _require_keeper(user, step.site)
    if direction not in ("up", "down"):
        raise DirectoryError(_("Move a step up or down."), "direction")
    steps = list(_pathway(step).select_for_update().order_by("rank", "pk"))
    at = next(i for i, s in enumerate(steps) if s.pk == step.pk)
    to = at - 1 if direction == "up" else at + 1
    if not 0 <= to < len(steps):
        raise DirectoryError(
            _("This step is already first.")
            if direction == "up"
            else _("This step is already last.")
        )
    steps[at], steps[to] = steps[to], steps[at]
    _renumber(user, steps)
    return next(s for s in steps if s.pk == step.pk)
