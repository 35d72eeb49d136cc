"""Writes to organisations, sites and users: named, atomic, audited."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from salama.audit.actions import audit_record
from salama.core.models import ApiToken, Membership, Organisation, Site
from salama.core.roles import Role


@transaction.atomic
def site_create(
    *,
    name: str,
    code: str,
    level: str,
    parent: Site | None = None,
    kind: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    actor: Any = None,
) -> Site:
    expected = "country" if parent is None else Site.CHILD_LEVEL.get(parent.level)
    if level != expected:
        raise ValueError(
            f"a {level} cannot be placed under {parent.level if parent else 'nothing'}"
        )
    site = Site.objects.create(
        name=name,
        code=code,
        level=level,
        parent=parent,
        kind=kind,
        latitude=latitude,
        longitude=longitude,
        path="",
    )
    site.path = f"{parent.path if parent else '/'}{site.pk}/"
    site.save(update_fields=["path"])
    audit_record(
        user=actor, action="create", purpose="administration", model="core.Site", record_id=site.pk
    )
    return site


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    organisation: Organisation,
    role: Role,
    sites: Iterable[Site] = (),
    email: str = "",
    actor: Any = None,
    validate: bool = True,
) -> Any:
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise ValidationError(f"The user name {username!r} is taken.")
    user = user_model(username=username, email=email)
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    membership_add(user=user, organisation=organisation, role=role, sites=sites, actor=actor)
    return user


@transaction.atomic
def membership_add(
    *,
    user: Any,
    organisation: Organisation,
    role: Role,
    sites: Iterable[Site] = (),
    actor: Any = None,
) -> Membership:
    membership = Membership.objects.create(user=user, organisation=organisation, role=role.value)
    membership.sites.set(list(sites))
    audit_record(
        user=actor,
        action="create",
        purpose="administration",
        model="core.Membership",
        record_id=membership.pk,
        changed_fields=["role", "sites"],
    )
    return membership


@transaction.atomic
def api_token_create(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """A new bearer token; the raw value is returned once and never stored."""
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(
        user=user, name=name, digest=ApiToken.digest_of(raw), prefix=raw[4:12]
    )
    audit_record(
        user=user,
        action="create",
        purpose="administration",
        model="core.ApiToken",
        record_id=token.pk,
    )
    return token, raw


@transaction.atomic
def user_deactivate(*, user: Any, actor: Any) -> None:
    """Disable a user; their sessions end at once because authentication
    rejects inactive users on every request."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.api_tokens.update(revoked=True)
    audit_record(
        user=actor,
        action="change",
        purpose="administration",
        model="auth.User",
        record_id=user.pk,
        changed_fields=["is_active"],
    )
