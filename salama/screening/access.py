"""The only way views fetch screenings, alerts and submissions. A screening
is visible to a member of the organisation that made it who may view
screenings at the person's site and whose purpose (protection) has a legal
basis for the person; anything else, another organisation's above all, is not
found (PROTECTION.md 7). Reads of a screening are audited."""

from datetime import date
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.http import Http404

from salama.audit.actions import audit_record
from salama.core import access as core_access
from salama.core.roles import Perm
from salama.registry.models import Person
from salama.screening.models import (
    Alert,
    FieldCredential,
    IndicatorCount,
    Screening,
    ScreeningCount,
    Submission,
)


def _case_scope(user: Any, perm: Perm) -> Q | None:
    return core_access.site_scope(user, perm, "site_path", organisation_field="organisation")


def screenings_for(user: Any, perm: Perm = Perm.SCREENING_VIEW) -> QuerySet[Screening]:
    scope = _case_scope(user, perm)
    if scope is None:
        return Screening.objects.none()
    purpose = core_access.purpose(user)
    return Screening.objects.filter(scope).filter(person__legal_bases__purpose=purpose)


def person_screenings(user: Any, person: Person) -> QuerySet[Screening]:
    """The history of a person already fetched through registry.access."""
    return screenings_for(user).filter(person=person).select_related("screened_by")


def _read(user: Any, record: Any) -> Any:
    """The record found, with its read audited; not found: 404."""
    if record is None:
        raise Http404
    audit_record(
        user=user,
        action="read",
        purpose=core_access.purpose(user),
        model=f"screening.{type(record).__name__}",
        record_id=record.pk,
    )
    return record


def get_screening(user: Any, pk: object) -> Screening:
    screening = (
        screenings_for(user)
        .select_related("person", "screened_by")
        .filter(pk=core_access.record_uuid(pk))
        .first()
    )
    return _read(user, screening)


def alerts_for(user: Any, status: str = Alert.Status.OPEN) -> QuerySet[Alert]:
    scope = _case_scope(user, Perm.ALERT_VIEW)
    if scope is None:
        return Alert.objects.none()
    purpose = core_access.purpose(user)
    return (
        Alert.objects.filter(scope, status=status)
        .filter(person__legal_bases__purpose=purpose)
        .select_related("person", "screening")
    )


def get_alert(user: Any, pk: object) -> Alert:
    try:
        number = int(str(pk))
    except ValueError:
        raise Http404 from None
    alert = alerts_for(user).filter(pk=number).first()
    if alert is None:
        raise Http404
    return alert


def open_alert_count(user: Any) -> int:
    return alerts_for(user).count() if core_access.has_perm(user, Perm.ALERT_VIEW) else 0


def submissions_for_review(user: Any) -> QuerySet[Submission]:
    scope = _case_scope(user, Perm.SUBMISSION_REVIEW)
    if scope is None:
        return Submission.objects.none()
    waiting = Q(status=Submission.Status.REVIEW) | Q(
        status=Submission.Status.STORED, person__isnull=True
    )
    return Submission.objects.filter(scope).filter(waiting).select_related("submitted_by")


def get_submission_for_review(user: Any, pk: object) -> Submission:
    submission = submissions_for_review(user).filter(pk=core_access.record_uuid(pk)).first()
    return _read(user, submission)


def statistics_rows(user: Any) -> list[dict[str, Any]]:
    """Counts of indicators present, by site, week, sex, age group and
    instrument, as counted at the time of screening over people whose legal
    basis allowed statistics (screening.actions.count_for_figures); for users
    who may see aggregates, in their sites. No record is read."""
    where = core_access.site_scope(user, Perm.AGGREGATE_VIEW, "site_path")
    if where is None:
        return []
    return [
        {**row, "week": row["week"].isoformat()}
        for row in IndicatorCount.objects.filter(where)
        .values("week", "site_path", "sex", "age_group", "instrument", item=F("indicator"))
        .annotate(n=Sum("count"))
        .filter(n__gt=0)
    ]


def screening_statistics_rows(user: Any) -> list[dict[str, Any]]:
    """People screened, by instrument, result, site, sex and age group, as
    counted at the time of screening (see statistics_rows)."""
    where = core_access.site_scope(user, Perm.AGGREGATE_VIEW, "site_path")
    if where is None:
        return []
    return [
        dict(row)
        for row in ScreeningCount.objects.filter(where)
        .values("instrument", "level", "site_path", "sex", "age_group")
        .annotate(n=Sum("count"))
        .filter(n__gt=0)
    ]


def field_credential(username: str) -> FieldCredential | None:
    """The Digest credential of a field user, for the OpenRosa endpoints."""
    return (
        FieldCredential.objects.select_related("user").filter(user__username=username).first()
        if username
        else None
    )


def alerts_about(person_id: Any, *, since: date) -> list[Alert]:
    """Alerts raised about a person since a day, whatever their organisation:
    for telling that organisation's staff (a reference and a link), never for
    showing them to another."""
    return list(Alert.objects.filter(person_id=person_id, created_at__date__gte=since))
