"""Reads of the cases app that are not personal records: pathways, labels,
what a referral may share."""

from django.db.models import QuerySet

from salama.cases.models import PathwayStep
from salama.registry.households import site_path_ancestors


def pathway_steps(site_path: str, case_type: str, is_child: bool) -> QuerySet[PathwayStep]:
    """The pathway for a case type at a site (the nearest site up the tree that
    has one), in order; a child's pathway when the person is a child and the
    site has one, else the general one."""
    steps = PathwayStep.objects.filter(
        site__path__in=site_path_ancestors(site_path),
        case_type=case_type,
        service__active=True,
    ).select_related("service", "service__organisation", "site")
    for children in ([True, False] if is_child else [False]):
        chosen = steps.filter(for_children=children)
        nearest = chosen.order_by("-site__path").values_list("site_id", flat=True).first()
        if nearest is not None:
            return chosen.filter(site_id=nearest).order_by("rank")
    return steps.none()
