"""What an administrator may manage: the only way administration views fetch
organisations, sites, users, memberships and tokens. Anything outside the
administrator's organisations or sites answers 404, like any record out of
scope."""

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import Http404

from salama.core import access
from salama.core.models import ApiToken, Membership, Organisation, Site
from salama.core.roles import Perm


def require_administrator(user: Any) -> None:
    if not access.has_perm(user, Perm.ADMINISTER):
        raise Http404


def _pk(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise Http404 from None


def organisations_for(user: Any) -> QuerySet[Organisation]:
    require_administrator(user)
    if access.is_system_administrator(user):
        return Organisation.objects.order_by("short_name")
    ids = access.administered_organisation_ids(user)
    return Organisation.objects.filter(pk__in=ids).order_by("short_name")


def get_organisation(user: Any, pk: object) -> Organisation:
    found = organisations_for(user).filter(pk=_pk(pk)).first()
    if found is None:
        raise Http404
    return found


def sites_for(user: Any) -> QuerySet[Site]:
    """The sites the administrator manages: those of their administrator
    memberships and everything below them (every site for a system
    administrator)."""
    require_administrator(user)
    if access.is_system_administrator(user):
        return Site.objects.order_by("path")
    scope = access.site_scope(user, Perm.ADMINISTER, "path")
    if scope is None:
        return Site.objects.none()
    return Site.objects.filter(scope).order_by("path")


def get_site(user: Any, pk: object) -> Site:
    found = sites_for(user).filter(pk=_pk(pk)).first()
    if found is None:
        raise Http404
    return found


def users_for(user: Any) -> QuerySet[Any]:
    """Users with a membership in one of the administrator's organisations."""
    require_administrator(user)
    users = get_user_model().objects.order_by("username")
    if access.is_system_administrator(user):
        return users
    ids = access.administered_organisation_ids(user)
    return users.filter(memberships__organisation_id__in=ids).distinct()


def get_user(user: Any, pk: object) -> Any:
    found = users_for(user).filter(pk=_pk(pk)).first()
    if found is None:
        raise Http404
    return found


def manages_account(actor: Any, target: Any) -> bool:
    """Account-wide changes (deactivation, two-factor reset, field password,
    tokens) need every one of the user's memberships to be the administrator's,
    on the administrator's own sites: one organisation cannot lock out another's
    staff, and a token or field password never reaches a site the administrator
    does not manage. Only a system administrator manages a system administrator."""
    if access.is_system_administrator(actor):
        return True
    if target.is_superuser:
        return False
    ids = access.administered_organisation_ids(actor)
    organisations = set(target.memberships.values_list("organisation_id", flat=True))
    if not organisations or not organisations <= ids:
        return False
    scope = access.site_paths(actor, Perm.ADMINISTER)
    target_paths = Site.objects.filter(memberships__user=target).values_list("path", flat=True)
    return all(any(path.startswith(own) for own in scope) for path in target_paths)


def memberships_for(actor: Any, target: Any) -> QuerySet[Membership]:
    memberships = Membership.objects.filter(user=target).select_related("organisation")
    if access.is_system_administrator(actor):
        return memberships.order_by("organisation__short_name", "role")
    ids = access.administered_organisation_ids(actor)
    return memberships.filter(organisation_id__in=ids).order_by("organisation__short_name", "role")


def get_membership(actor: Any, target: Any, pk: object) -> Membership:
    found = memberships_for(actor, target).filter(pk=_pk(pk)).first()
    if found is None:
        raise Http404
    return found


def get_token(actor: Any, target: Any, pk: object) -> ApiToken:
    if not manages_account(actor, target):
        raise Http404
    found = ApiToken.objects.filter(user=target, pk=_pk(pk)).first()
    if found is None:
        raise Http404
    return found
