"""Reads for the complaint pages that are not complaints themselves: who
receives complaints where (public, so that a complainant sees it), and the
labels of a complaint's page."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from salama.core.models import Membership, Organisation, Site
from salama.core.roles import Role


def receiving_points() -> list[tuple[Organisation, Site]]:
    """Every (organisation, camp) where an active PSEA focal point of that
    organisation works: at the camp, or above it for all its camps (one at a
    block only does not receive the camp's complaints)."""
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
                # At the camp or above it: where intake finds the focal points too.
                if camp.path.startswith(site.path):
                    pairs[(membership.organisation_id, camp.pk)] = (membership.organisation, camp)
    return sorted(pairs.values(), key=lambda pair: (pair[0].name, pair[1].name))


CUSTODY_LABELS = {
    "received": _("Received"),
    "acknowledged": _("Acknowledged"),
    "evidence_added": _("File added"),
    "evidence_opened": _("File opened"),
    "evidence_checked": _("File checked"),
    "feedback_given": _("Feedback published"),
    "subject_linked": _("User linked as subject"),
    "recused": _("Recused"),
    "identity_shared": _("The complainant agreed to share their identity"),
    "closed": _("Closed"),
    "assistance_referred": _("Referred for assistance"),
    "assistance_accepted": _("Assistance referral accepted"),
    "assistance_declined": _("Assistance referral declined"),
    "assistance_completed": _("Assistance delivered"),
    "investigation_referred": _("Referred for investigation"),
    "investigation_status": _("Investigation status recorded"),
    "complainant_added": _("The complainant added information"),
    "break_glass": _("Glass broken by an administrator"),
    "deadline_missed": _("Deadline missed"),
    "bundle_exported": _("Sealed bundle exported"),
}
# What the complainant reads of the status: neutral (a child's complaint is
# referred at once, and which track moved is not theirs to decode).
PUBLIC_STATUS = {
    "received": _("Received"),
    "acknowledged": _("A focal point is following it up"),
    "referred": _("Being followed up"),
    "closed": _("Closed"),
}


def custody_rows(complaint: Any) -> list[Any]:
    rows = list(complaint.custody.select_related("actor", "evidence").order_by("seq"))
    for row in rows:
        row.label = CUSTODY_LABELS.get(row.kind, row.kind)
    return rows
