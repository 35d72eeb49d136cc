"""Reads for screening pages that are not single records."""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from salama.core import access as core_access
from salama.core.models import Site
from salama.lib.masking import masked
from salama.lib.suppression import suppress
from salama.screening import access, catalogue
from salama.screening.codes import referral_labels


def alert_rows(user: Any, alerts: Any) -> list[dict[str, Any]]:
    """Alerts with names masked for roles that may not see survivors' names."""
    may_see = core_access.sees_survivor_names(user)
    return [
        {
            "alert": a,
            "name": masked(a.person.name(), survivor=a.person.mask_name, viewer_may_see=may_see),
            "referrals": referral_labels(a.referrals),
        }
        for a in alerts
    ]


@dataclass
class CountRow:
    site: str
    week: str
    sex: str
    age_group: str
    instrument: str
    indicator: str
    count: int | None  # None: suppressed


def _site_names(paths: set[str]) -> dict[str, str]:
    """Each site path → the name of its camp or settlement (the nearest site
    with a kind), so that counts are by site, not by block."""
    sites = {str(s.pk): s for s in Site.objects.all()}

    def name(path: str) -> str:
        ids = [i for i in path.strip("/").split("/") if i]
        chosen = next((sites[i] for i in reversed(ids) if i in sites and sites[i].kind), None)
        return str(chosen or (sites.get(ids[-1]) if ids else "?"))

    return {p: name(p) for p in paths}


def indicator_counts(user: Any) -> list[CountRow]:
    """People screened with each indicator present, by site, week, sex, age
    group and instrument, counting only people whose legal basis allows
    statistics (PROTECTION.md 11), small cells hidden (PROTECTION.md 12)."""
    k = settings.SALAMA_SUPPRESSION_K
    rows = access.statistics_rows(user)
    names = _site_names({row["site_path"] for row in rows})
    counts: Counter[tuple[str, ...]] = Counter()
    for row in rows:
        key = (
            names.get(row["site_path"], "?"),
            row["week"],
            row["sex"],
            row["age_group"],
            row["instrument"],
            row["item"],
        )
        counts[key] += row["n"]
    return [
        CountRow(site, week, sex, age, instrument, item, suppress(n, k))
        for (site, week, sex, age, instrument, item), n in sorted(counts.items())
    ]


def indicator_label(instrument_id: str, item_id: str, language: str) -> str:
    instrument = catalogue.instruments().get(instrument_id)
    try:
        return instrument.item(item_id).label.get(language) if instrument else item_id
    except KeyError:
        return item_id


def submission_fields(submission: Any) -> dict[str, str]:
    """The answers of a stored submission, for the reviewer."""
    from salama.lib.screening.submission import parse

    return {k: v for k, v in parse(submission.xml.encode("utf-8")).fields.items() if v}
