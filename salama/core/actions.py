"""Writes to organisations, sites and users: named, atomic, audited.

Each action checks the rules that hold whoever calls it (a site's level
follows its parent, nobody deactivates themselves, …) and raises
ValidationError with a sentence for the person who asked; who may ask is
decided before, by the caller's access module."""

from collections.abc import Iterable
from datetime import timedelta
from decimal import Decimal
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from salama.audit.actions import audit_record
from salama.core.models import ApiToken, Membership, Organisation, Site
from salama.core.roles import Role

PURPOSE = "administration"


def _audit(actor: Any, action: str, model: str, pk: object, fields: Iterable[str] = ()) -> None:
    audit_record(
        user=actor,
        action=action,
        purpose=PURPOSE,
        model=model,
        record_id=pk,
        changed_fields=fields,
    )


# An optional argument left out: the value stays as it is.
KEEP = object()


def _set_changed(instance: Any, values: dict[str, Any]) -> list[str]:
    """Assign the values that differ and return their field names."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return changed


# --- Organisations ---


def _check_organisation_unique(name: str, short_name: str, exclude: int | None = None) -> None:
    others = (
        Organisation.objects.all() if exclude is None else Organisation.objects.exclude(pk=exclude)
    )
    if others.filter(name__iexact=name).exists():
        raise ValidationError(_("An organisation named %(name)s exists already.") % {"name": name})
    if others.filter(short_name__iexact=short_name).exists():
        raise ValidationError(
            _("The short name %(name)s is taken by another organisation.") % {"name": short_name}
        )


@transaction.atomic
def organisation_create(*, name: str, short_name: str, kind: str, actor: Any) -> Organisation:
    _check_organisation_unique(name, short_name)
    organisation = Organisation.objects.create(name=name, short_name=short_name, kind=kind)
    _audit(actor, "create", "core.Organisation", organisation.pk, ["name", "short_name", "kind"])
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, name: str, short_name: str, kind: str, actor: Any
) -> list[str]:
    _check_organisation_unique(name, short_name, exclude=organisation.pk)
    changed = _set_changed(organisation, {"name": name, "short_name": short_name, "kind": kind})
    if changed:
        organisation.save(update_fields=changed)
        _audit(actor, "change", "core.Organisation", organisation.pk, changed)
    return changed


# --- Sites ---


def _check_coordinates(latitude: Any, longitude: Any) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationError(_("Give both latitude and longitude, or neither."))
    if latitude is not None and not -90 <= Decimal(latitude) <= 90:
        raise ValidationError(_("Latitude must be between -90 and 90."))
    if longitude is not None and not -180 <= Decimal(longitude) <= 180:
        raise ValidationError(_("Longitude must be between -180 and 180."))


@transaction.atomic
def site_create(
    *,
    name: str,
    code: str,
    level: str,
    parent: Site | None = None,
    kind: str = "",
    latitude: float | Decimal | None = None,
    longitude: float | Decimal | None = None,
    name_ar: str = "",
    name_fr: str = "",
    registry_owner: Organisation | None = None,
    actor: Any = None,
) -> Site:
    expected = "country" if parent is None else Site.CHILD_LEVEL.get(parent.level)
    if level != expected:
        raise ValueError(
            f"a {level} cannot be placed under {parent.level if parent else 'nothing'}"
        )
    if Site.objects.filter(code__iexact=code).exists():
        raise ValidationError(_("The code %(code)s is used by another site.") % {"code": code})
    _check_coordinates(latitude, longitude)
    site = Site.objects.create(
        name=name,
        name_ar=name_ar,
        name_fr=name_fr,
        code=code,
        level=level,
        parent=parent,
        kind=kind if level == "site" else "",
        latitude=latitude,
        longitude=longitude,
        registry_owner=registry_owner if level == "site" else None,
        path="",
    )
    site.path = f"{parent.path if parent else '/'}{site.pk}/"
    site.save(update_fields=["path"])
    _audit(actor, "create", "core.Site", site.pk)
    return site


@transaction.atomic
def site_update(
    *,
    site: Site,
    name: str,
    name_ar: str,
    name_fr: str,
    code: str,
    kind: str,
    latitude: Decimal | None,
    longitude: Decimal | None,
    actor: Any,
    registry_owner: Organisation | None | object = KEEP,
) -> list[str]:
    """Names, code, kind, coordinates and (when given) who keeps the registry;
    a site's place in the tree stays."""
    if Site.objects.exclude(pk=site.pk).filter(code__iexact=code).exists():
        raise ValidationError(_("The code %(code)s is used by another site.") % {"code": code})
    _check_coordinates(latitude, longitude)
    values: dict[str, Any] = {
        "name": name,
        "name_ar": name_ar,
        "name_fr": name_fr,
        "code": code,
        "kind": kind if site.level == "site" else "",
        "latitude": latitude,
        "longitude": longitude,
    }
    if registry_owner is not KEEP:
        values["registry_owner"] = registry_owner if site.level == "site" else None
    changed = _set_changed(site, values)
    if changed:
        site.save(update_fields=changed)
        _audit(actor, "change", "core.Site", site.pk, changed)
    return changed


def _recorded_at(site: Site) -> bool:
    """Whether any app's records name this site by path (screenings, alerts,
    field submissions keep `site_path` rather than a key, so no foreign key
    protects the site from deletion)."""
    holders = (m for m in apps.get_models() if any(f.name == "site_path" for f in m._meta.fields))
    return any(m._default_manager.filter(site_path__startswith=site.path).exists() for m in holders)


@transaction.atomic
def site_delete(*, site: Site, actor: Any) -> None:
    """Only an empty site goes: no places below it, no memberships, nothing
    registered or recorded there."""
    if site.children.exists():
        raise ValidationError(
            _("%(site)s has places below it; delete or move those first.") % {"site": site}
        )
    if site.memberships.exists():
        raise ValidationError(
            _("%(site)s is given to users in their memberships; change those first.")
            % {"site": site}
        )
    if _recorded_at(site):
        raise ValidationError(
            _("%(site)s holds records (households or others); a site with anything in it is kept.")
            % {"site": site}
        )
    pk = site.pk
    try:
        site.delete()
    except (ProtectedError, RestrictedError) as refused:
        raise ValidationError(
            _("%(site)s holds records (households or others); a site with anything in it is kept.")
            % {"site": site}
        ) from refused
    _audit(actor, "delete", "core.Site", pk)


# --- Users and memberships ---


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    organisation: Organisation,
    role: Role,
    sites: Iterable[Site] = (),
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    actor: Any = None,
    validate: bool = True,
    superuser: bool = False,
) -> Any:
    """A user with a first membership. `superuser` makes a system administrator
    (with an administrator membership: every organisation, site and user)."""
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            _("The user name %(name)s is taken.") % {"name": username}, code="username_taken"
        )
    user = user_model(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        is_superuser=superuser,
    )
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    fields = ["username", "email", "password", *(["is_superuser"] if superuser else [])]
    _audit(actor, "create", "auth.User", user.pk, fields)
    membership_add(user=user, organisation=organisation, role=role, sites=sites, actor=actor)
    return user


@transaction.atomic
def user_update(*, user: Any, email: str, first_name: str, last_name: str, actor: Any) -> list[str]:
    changed = _set_changed(user, {"email": email, "first_name": first_name, "last_name": last_name})
    if changed:
        user.save(update_fields=changed)
        _audit(actor, "change", "auth.User", user.pk, changed)
    return changed


@transaction.atomic
def membership_add(
    *,
    user: Any,
    organisation: Organisation,
    role: Role,
    sites: Iterable[Site] = (),
    actor: Any = None,
) -> Membership:
    if Membership.objects.filter(user=user, organisation=organisation, role=role.value).exists():
        raise ValidationError(
            _("%(user)s already has this role in %(organisation)s; change that membership.")
            % {"user": user.username, "organisation": organisation.short_name}
        )
    membership = Membership.objects.create(user=user, organisation=organisation, role=role.value)
    membership.sites.set(list(sites))
    _audit(actor, "create", "core.Membership", membership.pk, ["role", "sites"])
    return membership


def _is_last_own_admin_membership(membership: Membership, actor: Any) -> bool:
    if membership.user_id != getattr(actor, "pk", None):
        return False
    if membership.role != Role.ADMINISTRATOR:
        return False
    others = Membership.objects.filter(user_id=membership.user_id, role=Role.ADMINISTRATOR)
    return not others.exclude(pk=membership.pk).exists()


@transaction.atomic
def membership_change(
    *, membership: Membership, role: Role, sites: Iterable[Site], actor: Any
) -> list[str]:
    changed = []
    if role.value != membership.role:
        if _is_last_own_admin_membership(membership, actor):
            raise ValidationError(
                _("This is your last administrator membership; you cannot give it up yourself.")
            )
        clash = Membership.objects.filter(
            user_id=membership.user_id, organisation_id=membership.organisation_id, role=role.value
        )
        if clash.exists():
            raise ValidationError(_("The user already has that role in this organisation."))
        membership.role = role.value
        membership.save(update_fields=["role"])
        changed.append("role")
    new_sites = {s.pk for s in sites}
    if new_sites != set(membership.sites.values_list("pk", flat=True)):
        membership.sites.set(list(new_sites))
        changed.append("sites")
    if changed:
        _audit(actor, "change", "core.Membership", membership.pk, changed)
    return changed


@transaction.atomic
def membership_remove(*, membership: Membership, actor: Any) -> None:
    if _is_last_own_admin_membership(membership, actor):
        raise ValidationError(
            _("This is your last administrator membership; you cannot remove it yourself.")
        )
    if not Membership.objects.filter(user_id=membership.user_id).exclude(pk=membership.pk).exists():
        raise ValidationError(
            _("This is the user's only membership. Deactivate the user instead of removing it.")
        )
    pk = membership.pk
    membership.delete()
    _audit(actor, "delete", "core.Membership", pk)


def _end_sessions(user: Any) -> int:
    """Delete the user's sessions from the session store (database-backed
    engines; a cache-only store would need its own index of sessions)."""
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store_class, "get_model_class"):
        return 0
    model = store_class.get_model_class()
    ended = 0
    for session in model.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            store_class(session.session_key).delete()
            ended += 1
    return ended


@transaction.atomic
def user_deactivate(*, user: Any, actor: Any) -> None:
    """Disable a user: their sessions are deleted and their API tokens revoked
    at once (authentication also rejects inactive users on every request)."""
    if user.pk == getattr(actor, "pk", None):
        raise ValidationError(_("You cannot deactivate yourself."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    user.api_tokens.filter(revoked=False).update(revoked=True)
    _end_sessions(user)
    _audit(actor, "change", "auth.User", user.pk, ["is_active"])


@transaction.atomic
def user_reactivate(*, user: Any, actor: Any) -> None:
    """Allow a user to sign in again; revoked tokens stay revoked."""
    if user.is_active:
        return
    user.is_active = True
    user.save(update_fields=["is_active"])
    _audit(actor, "change", "auth.User", user.pk, ["is_active"])


@transaction.atomic
def user_two_factor_reset(*, user: Any, actor: Any) -> int:
    """Forget the user's authenticator: they enrol a new one at their next
    sign-in. Their sessions end too, since they were verified with the old one."""
    deleted, _by_model = TOTPDevice.objects.filter(user=user).delete()
    _end_sessions(user)
    _audit(actor, "delete", "otp_totp.TOTPDevice", user.pk, ["devices"])
    return deleted


def holds_two_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def api_token_create(
    *,
    user: Any,
    name: str,
    expires_at: Any = None,
    scopes: Iterable[str] = (ApiToken.Scope.READ,),
    actor: Any = None,
) -> tuple[ApiToken, str]:
    """A new bearer token; the raw value is returned once and never stored.
    Its owner must hold two-factor sign-in (a token skips the login, so it
    may only stand for someone who passed both factors); it expires after
    SALAMA_API_TOKEN_DAYS unless an earlier or later day, up to
    SALAMA_API_TOKEN_MAX_DAYS, is chosen."""
    if not user.is_active:
        raise ValidationError(_("A deactivated user cannot be given a token."))
    if settings.SALAMA_ENFORCE_2FA and not holds_two_factor(user):
        raise ValidationError(
            _(
                "%(user)s has no two-factor device: they must sign in and set up two-factor "
                "sign-in before a token can act for them."
            )
            % {"user": user.get_username()}
        )
    chosen = sorted(set(scopes))
    if not chosen or not set(chosen) <= set(ApiToken.Scope.values):
        raise ValidationError(_("Choose at least one scope: read, write or field."))
    now = timezone.now()
    if expires_at is None:
        expires_at = now + timedelta(days=settings.SALAMA_API_TOKEN_DAYS)
    if expires_at <= now:
        raise ValidationError(_("Choose an expiry after today."))
    if expires_at > now + timedelta(days=settings.SALAMA_API_TOKEN_MAX_DAYS + 1):
        raise ValidationError(
            _("A token may last %(days)s days at most.")
            % {"days": settings.SALAMA_API_TOKEN_MAX_DAYS}
        )
    raw = ApiToken.new_raw_token()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        digest=ApiToken.digest_of(raw),
        prefix=raw[4:12],
        expires_at=expires_at,
        scopes=chosen,
    )
    _audit(actor or user, "create", "core.ApiToken", token.pk)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Any) -> None:
    if token.revoked:
        return
    token.revoked = True
    token.save(update_fields=["revoked"])
    _audit(actor, "change", "core.ApiToken", token.pk, ["revoked"])
