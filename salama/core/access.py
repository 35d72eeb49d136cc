"""Who may do what, where: the scope of a user's memberships.

Other apps' access modules build their querysets from these scopes; nothing
else decides what a user can see.
"""

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import Any
from uuid import UUID

from django.db.models import Q
from django.http import Http404

from salama.core.models import Membership, Site
from salama.core.roles import ROLE_PURPOSE, Perm, Role, role_allows


def _memberships(user: Any) -> list[Membership]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_salama_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user)
            .select_related("organisation")
            .prefetch_related("sites")
        )
        user._salama_memberships = cached
    return cached


def has_perm(user: Any, perm: Perm) -> bool:
    return any(role_allows(m.role, perm) for m in _memberships(user))


def site_paths(user: Any, perm: Perm) -> list[str]:
    paths = {s.path for m in _memberships(user) if role_allows(m.role, perm) for s in m.sites.all()}
    return sorted(paths)


def _under(path_field: str, paths: Iterable[str]) -> Q:
    return reduce(or_, (Q(**{f"{path_field}__startswith": p}) for p in paths), Q(pk__in=[]))


def site_scope(
    user: Any,
    perm: Perm,
    path_field: str,
    *,
    organisation_field: str | None = None,
    registry_owner: bool = False,
    roles: Iterable[Role] | None = None,
) -> Q | None:
    """A filter on `path_field` for the sites where `user` holds `perm`; None: nowhere.

    With `organisation_field`, each membership reaches only the records of its
    own organisation at its sites (case data; changes to the registry), and with
    `registry_owner` also those at the camps whose registry that organisation
    keeps (Site.registry_owner). With `roles`, only memberships in those roles count."""
    if roles is not None:
        allowed = {str(r) for r in roles}
        if organisation_field is None:
            raise ValueError("roles= needs organisation_field=")
    if organisation_field is None:
        paths = site_paths(user, perm)
        return _under(path_field, paths) if paths else None
    scopes = []
    for m in _memberships(user):
        if not role_allows(m.role, perm) or (roles is not None and m.role not in allowed):
            continue
        mine = Q(**{organisation_field: m.organisation_id})
        if registry_owner:
            mine |= _under(path_field, _registry_paths(user, m.organisation_id))
        scopes.append(_under(path_field, (s.path for s in m.sites.all())) & mine)
    return reduce(or_, scopes) if scopes else None


def _registry_paths(user: Any, organisation_id: int) -> list[str]:
    """The camps whose registry the organisation keeps, read once per user object
    (that is, per request, like the memberships): a person's page asks for the
    scope of several changes (edit, merge) that each need them."""
    cached: dict[int, list[str]] | None = getattr(user, "_salama_registry_paths", None)
    if cached is None:
        cached = {}
        user._salama_registry_paths = cached
    if organisation_id not in cached:
        cached[organisation_id] = list(
            Site.objects.filter(registry_owner_id=organisation_id).values_list("path", flat=True)
        )
    return cached[organisation_id]


def purpose(user: Any) -> str:
    """The purpose recorded for this user's reads and writes (their first role's);
    "system" for work no user started (scheduled jobs, deliveries)."""
    if user is None:
        return "system"
    memberships = _memberships(user)
    if not memberships:
        return "none"
    return ROLE_PURPOSE[Role(memberships[0].role)]


def roles(user: Any) -> set[Role]:
    return {Role(m.role) for m in _memberships(user)}


def organisations(user: Any) -> list[Any]:
    return sorted({m.organisation for m in _memberships(user)}, key=lambda o: o.pk)


def organisation_for(user: Any, perm: Perm) -> Any:
    """The organisation on whose behalf the user takes `perm` (first such membership)."""
    for membership in _memberships(user):
        if role_allows(membership.role, perm):
            return membership.organisation
    return None


def organisation_at(user: Any, site_path: str, perm: Perm) -> Any:
    """The user's organisation whose role allows `perm` at the site (the first
    such membership), or None: the one that will own a record made there."""
    for membership in _memberships(user):
        if role_allows(membership.role, perm) and any(
            site_path.startswith(site.path) for site in membership.sites.all()
        ):
            return membership.organisation
    return None


def sees_survivor_names(user: Any) -> bool:
    from salama.core.roles import ROLES_SEEING_SURVIVOR_NAMES

    return bool(roles(user) & ROLES_SEEING_SURVIVOR_NAMES)


def record_uuid(pk: object) -> UUID:
    """A record id from a URL; anything that is not one is simply not found."""
    try:
        return pk if isinstance(pk, UUID) else UUID(str(pk))
    except ValueError:
        raise Http404 from None


def is_system_administrator(user: Any) -> bool:
    """A system administrator (Django's superuser flag, with an administrator
    membership) manages every organisation, site and user; an organisation's
    administrator only their own organisation's users and their own sites."""
    return bool(getattr(user, "is_superuser", False)) and has_perm(user, Perm.ADMINISTER)


def administered_organisation_ids(user: Any) -> set[int]:
    """The organisations in which the user holds an administrator's role."""
    return organisation_ids_with(user, Perm.ADMINISTER)


def organisation_ids_with(user: Any, perm: Perm) -> set[int]:
    """The organisations in which one of the user's roles allows `perm`."""
    return {m.organisation_id for m in _memberships(user) if role_allows(m.role, perm)}
