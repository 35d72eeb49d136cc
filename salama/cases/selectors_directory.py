"""Reads of the service directory and the pathways (not personal data: every
signed-in user reads them), and who keeps them: the holders of
Perm.SERVICE_KEEP at a site or above it. The directory's services come from
salama.cases.access.services; what is here adds the keeper's scope, the text
search and the pathways page's board."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from salama.cases import access
from salama.cases.models import CaseType, PathwayStep, Service
from salama.cases.selectors import pathway_steps
from salama.core import access as core_access
from salama.core.models import Organisation, Site
from salama.core.roles import Perm

# Sites a service is put at, or filtered by: blocks are too small for a directory.
DIRECTORY_LEVELS = (Site.Level.COUNTRY, Site.Level.SITE, Site.Level.ZONE)


def keeps_site(user: Any, site_path: str) -> bool:
    """Whether the user keeps the directory of the site at `site_path`."""
    return any(site_path.startswith(p) for p in core_access.site_paths(user, Perm.SERVICE_KEEP))


def can_keep(user: Any) -> bool:
    return core_access.has_perm(user, Perm.SERVICE_KEEP)


def keeper_sites(user: Any) -> QuerySet[Site]:
    """The sites where the user may put services (theirs and those below)."""
    paths = core_access.site_paths(user, Perm.SERVICE_KEEP)
    if not paths:
        return Site.objects.none()
    under = Q(pk__in=[])
    for p in paths:
        under |= Q(path__startswith=p)
    return Site.objects.filter(under, level__in=DIRECTORY_LEVELS).order_by("path")


def directory_sites() -> QuerySet[Site]:
    return Site.objects.filter(level__in=DIRECTORY_LEVELS).order_by("path")


def organisations() -> QuerySet[Organisation]:
    return Organisation.objects.order_by("short_name")


def site_by_code(code: str) -> Site | None:
    return Site.objects.filter(code__iexact=code.strip()).first() if code.strip() else None


def organisation_by_short_name(short_name: str) -> Organisation | None:
    name = short_name.strip()
    return Organisation.objects.filter(short_name__iexact=name).first() if name else None


def directory(
    *,
    site: Site | None = None,
    service_type: str = "",
    organisation: Organisation | None = None,
    text: str = "",
) -> QuerySet[Service]:
    """The directory's active services, filtered: at a site (and those above
    and below it), of a type, of an organisation, whose name has `text`."""
    found = access.services(
        site.path if site else "", service_type, organisation.pk if organisation else None
    )
    if text.strip():
        found = found.filter(name__icontains=text.strip())
    return found.order_by("service_type", "name", "pk")


def service(pk: object) -> Service:
    """An active service of the directory; else 404."""
    return access.get_service(pk)


def kept_service(user: Any, pk: object) -> Service:
    """An active service the user keeps (at one of their sites); else 404."""
    found = access.get_service(pk)
    if not keeps_site(user, found.site_path):
        raise Http404
    return found


def kept_step(user: Any, pk: object) -> PathwayStep:
    """A pathway step of a site the user keeps; else 404."""
    try:
        number = int(str(pk))
    except ValueError:
        raise Http404 from None
    step = PathwayStep.objects.select_related("site", "service").filter(pk=number).first()
    if step is None or not keeps_site(user, step.site.path):
        raise Http404
    return step


def reachable_from(service_site: Site, pathway_site: Site) -> bool:
    """A pathway of `pathway_site` may call a service of its own site, of a
    site above it or of one below it (as the directory lists them)."""
    return pathway_site.path.startswith(service_site.path) or service_site.path.startswith(
        pathway_site.path
    )


@dataclass
class Pathway:
    """One pathway of the pathways page: a case type, for children or not,
    the site's own steps and, when it has none, the steps that apply (those
    of the nearest site above it that has them)."""

    case_type: str
    label: str
    for_children: bool
    steps: list[PathwayStep] = field(default_factory=list)
    inherited: list[PathwayStep] = field(default_factory=list)
    inherited_from: Site | None = None


def pathways(site: Site) -> list[Pathway]:
    """Every case type's pathway at the site, general then for children."""
    own = list(
        PathwayStep.objects.filter(site=site, service__active=True)
        .select_related("service", "service__organisation", "service__site")
        .order_by("rank", "pk")
    )
    board = []
    for case_type, label in CaseType.choices:
        for for_children in (False, True):
            pathway = Pathway(case_type, str(label), for_children)
            pathway.steps = [
                s for s in own if s.case_type == case_type and s.for_children == for_children
            ]
            if not pathway.steps:
                applying = [
                    s
                    for s in pathway_steps(site.path, case_type, for_children)
                    if s.for_children == for_children
                ]
                if applying:
                    pathway.inherited = applying
                    pathway.inherited_from = applying[0].site
            board.append(pathway)
    return board


def open_referrals(service: Service) -> int:
    """How many referrals to the service wait for an answer or are accepted
    (a count, for the deactivation's confirmation; no record is read)."""
    return service.referrals.filter(status__in=["pending", "accepted"]).count()
