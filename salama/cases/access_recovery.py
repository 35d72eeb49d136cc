"""The reads of relief and recovery that span cases, beside salama/cases/access.py
(the lead may fold them into it): the plan items due for a reminder, for the
scheduled job, and the facts of the counted referrals, for the figures. Writes
and reads of one case go through the case fetched with access.get_case."""

from datetime import date
from typing import Any

from django.db.models import Min, Q, QuerySet

from salama.cases.models import PlanItem, ProtectionCase, Referral, ServiceDelivery
from salama.core import access as core_access
from salama.core.roles import Perm


def plan_items_to_remind(today: date) -> QuerySet[PlanItem]:
    """Open plan items of open cases, in every organisation, due on `today` or
    before and not reminded of `today` yet; locked for the reminder's update."""
    return (
        PlanItem.objects.select_for_update(of=("self",))
        .filter(
            status=PlanItem.Status.OPEN,
            due_on__lte=today,
            case__status=ProtectionCase.Status.OPEN,
        )
        .exclude(reminded_on__gte=today)
        .select_related("case", "case__assigned_to", "case__supervisor")
        .order_by("case_id", "due_on", "pk")
    )


def referral_statistics_rows(user: Any) -> list[tuple[Any, ...]]:
    """Facts of the counted referrals (made with consent, not withdrawn) at
    the sites where the user sees figures: no id, reference or case, only
    what the figures break down by, and the day of the first service
    delivered on the referral (an offer not taken up is not a service)."""
    paths = core_access.site_paths(user, Perm.AGGREGATE_VIEW)
    if not paths:
        return []
    under = Q(pk__in=[])
    for path in paths:
        under |= Q(site_path__startswith=path)
    delivered = ~Q(deliveries__outcome=ServiceDelivery.Outcome.NOT_TAKEN)
    return list(
        Referral.objects.filter(under, consent_given=True, withdrawn_at__isnull=True)
        .exclude(status=Referral.Status.WITHDRAWN)
        .annotate(first_service=Min("deliveries__delivered_on", filter=delivered))
        .values_list("service_type", "site_path", "status", "made_at", "first_service")
        .order_by()
    )
