"""Who sees which job: the user who started it, and administrators of its
organisation. Jobs of no organisation (the schedule's) are the deployment's
own work and are shown to every administrator; they carry ids, never
personal data. Anything else answers 404."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from salama.core import access as core_access
from salama.core.models import Membership
from salama.core.roles import Perm, Role, role_allows
from salama.jobs.models import Job

_ADMIN_ROLES = [r.value for r in Role if role_allows(r, Perm.ADMINISTER)]


def administered_organisation_ids(user: Any) -> set[int]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return set(
        Membership.objects.filter(user=user, role__in=_ADMIN_ROLES).values_list(
            "organisation_id", flat=True
        )
    )


def may_administer(user: Any) -> bool:
    return core_access.has_perm(user, Perm.ADMINISTER)


def _admin_scope(user: Any) -> Q | None:
    ids = administered_organisation_ids(user)
    if not ids:
        return None
    return Q(organisation_id__in=ids) | Q(organisation__isnull=True)


def jobs_administered(user: Any) -> QuerySet[Job]:
    scope = _admin_scope(user)
    if scope is None:
        return Job.objects.none()
    return Job.objects.filter(scope)


def get_job(user: Any, pk: object) -> Job:
    """A job the user may follow; 404 otherwise (another organisation's too)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404
    visible = Q(user=user)
    scope = _admin_scope(user)
    if scope is not None:
        visible |= scope
    found = (
        Job.objects.filter(visible)
        .filter(pk=core_access.record_uuid(pk))
        .select_related("user", "organisation")
        .first()
    )
    if found is None:
        raise Http404
    return found


def get_job_administered(user: Any, pk: object) -> Job:
    found = jobs_administered(user).filter(pk=core_access.record_uuid(pk)).first()
    if found is None:
        raise Http404
    return found
