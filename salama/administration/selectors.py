"""Reads for the administration pages, over what administration.access allows."""

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from salama.administration import access
from salama.core.models import ApiToken, Site
from salama.core.roles import Perm, role_allows
from salama.screening.models import FieldCredential

PAGE_SIZE = 25


def user_search(actor: Any, query: str = "") -> QuerySet[Any]:
    users = access.users_for(actor)
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(email__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
        )
    return users.prefetch_related("memberships__organisation")


def paginate(queryset: QuerySet[Any], page: Any) -> Page:  # type: ignore[type-arg]
    return Paginator(queryset, PAGE_SIZE).get_page(page)


@dataclass
class SiteNode:
    site: Site
    members: int
    children: list["SiteNode"] = field(default_factory=list)

    @property
    def may_have_children(self) -> bool:
        return self.site.level in Site.CHILD_LEVEL


def site_tree(actor: Any) -> list[SiteNode]:
    """The administrator's sites as a forest: each top node is a site of
    their scope whose parent is outside it (a country for most)."""
    sites = access.sites_for(actor).annotate(members=Count("memberships"))
    nodes: dict[int, SiteNode] = {}
    roots: list[SiteNode] = []
    for site in sites:  # ordered by path: a parent comes before its children
        node = SiteNode(site=site, members=site.members)
        nodes[site.pk] = node
        parent = nodes.get(site.parent_id) if site.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def account_facts(user: Any) -> dict[str, Any]:
    """What the user page shows about the account itself."""
    return {
        "two_factor_devices": TOTPDevice.objects.filter(user=user, confirmed=True).count(),
        "has_field_password": FieldCredential.objects.filter(user=user).exists(),
        "may_submit_from_field": any(
            role_allows(m.role, Perm.FIELD_SUBMIT) for m in user.memberships.all()
        ),
        "tokens": ApiToken.objects.filter(user=user).order_by("-created_at"),
    }
