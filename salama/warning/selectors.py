"""Reads of early warning for its pages."""

from collections import Counter
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from salama.core.models import Site
from salama.lib.suppression import suppress
from salama.warning.models import Alert, Outcome, RiskFactor


def verification_rates(alerts: QuerySet[Alert]) -> dict[str, Any]:
    """How the alerts in view were verified: the false-alarm rate in use."""
    outcomes = Counter(alerts.exclude(outcome="").values_list("outcome", flat=True))
    verified = sum(outcomes.values())
    false = outcomes.get(Outcome.FALSE_ALARM, 0)
    return {
        "verified": verified,
        "waiting": alerts.filter(outcome="").count(),
        "outcomes": [(label, outcomes.get(value, 0)) for value, label in Outcome.choices],
        "false_alarm_rate": round(100 * false / verified) if verified else None,
    }


def shown_count(n: int, exact: bool) -> int | None:
    """Officers who verify see the week's count; others see it as any figure is shown."""
    return n if exact else suppress(n, settings.SALAMA_SUPPRESSION_K)


def risk_factors_at(site_ids: set[int]) -> QuerySet[RiskFactor]:
    return RiskFactor.objects.filter(site_id__in=site_ids).select_related("site")


def risk_factors_holding(path: str) -> QuerySet[RiskFactor]:
    """Factors of the place and the larger places holding it: a block's alert
    shows its camp's factors."""
    return RiskFactor.objects.filter(site__path__in=Site.paths_holding(path)).select_related("site")


def place_names(ids: list[int], language: str) -> list[str]:
    return [s.name_in(language) for s in Site.objects.filter(pk__in=ids).order_by("path")]
