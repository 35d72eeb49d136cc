"""Reads for the complaint pages that are not complaints themselves: who
receives complaints where (public, so that a complainant sees it), and the
labels of a complaint's page."""

from typing import Any

from salama.core.models import Membership, Organisation, Site
from salama.core.roles import Role


def receiving_points() -> list[tuple[Organisation, Site]]:
    """Every (organisation, camp) where an active PSEA focal point of that
    organisation works: at the camp, or above it for all its camps."""
    pairs: dict[tuple[int, int], tuple[Organisation, Site]] = {}
    memberships = (
        Membership.objects.filter(role=Role.PSEA_FOCAL_POINT, user__is_active=True)
        .select_related("organisation")
        .prefetch_related("sites")
    )
    camps = list(Site.objects.filter(level="site").order_by("name"))
    for membership in memberships:
        for site in membership.sites.all():
            for camp in camps:
                if camp.path.startswith(site.path) or site.path.startswith(camp.path):
                    pairs[(membership.organisation_id, camp.pk)] = (membership.organisation, camp)
    return sorted(pairs.values(), key=lambda pair: (pair[0].name, pair[1].name))


def custody_rows(complaint: Any) -> list[Any]:
    return list(complaint.custody.select_related("actor", "evidence").order_by("seq"))
