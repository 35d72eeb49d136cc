"""Administration pages. Thin: what an administrator may manage comes from
administration.access (404 outside it), writes go through core.actions and
administration.actions, and a refused write shows the action's sentence."""

import secrets
from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from salama.administration import access, selectors
from salama.administration.actions import field_password_set
from salama.administration.forms import (
    FieldPasswordForm,
    MembershipForm,
    OrganisationForm,
    SiteForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
)
from salama.core import access as core_access
from salama.core import actions
from salama.core.decorators import is_htmx, staff_page
from salama.core.models import Organisation, Site
from salama.core.roles import Role

GET_POST = require_http_methods(["GET", "POST"])


def _attempt(form: Any, write: Callable[[], Any], field: str | None = None) -> Any:
    """Run a write; a refusal is shown on the form instead (nothing was written)."""
    try:
        return write() or True
    except ValidationError as refused:
        form.add_error(field, refused)
        return None


def _form_page(
    request: HttpRequest, template: str, context: dict[str, Any], form: Any
) -> HttpResponse:
    status = 400 if request.method == "POST" else 200
    return render(request, template, {**context, "form": form}, status=status)


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    access.require_administrator(user)
    context = {
        "organisations": access.organisations_for(user).count(),
        "sites": access.sites_for(user).count(),
        "users": access.users_for(user).count(),
        "system_administrator": core_access.is_system_administrator(user),
    }
    return render(request, "administration/home.html", context)


# --- Organisations ---


@staff_page
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = access.organisations_for(request.user)
    context = {
        "organisations": organisations,
        "may_create": core_access.is_system_administrator(request.user),
    }
    return render(request, "administration/organisation_list.html", context)


@GET_POST
@staff_page
def organisation_new(request: HttpRequest) -> HttpResponse:
    access.require_administrator(request.user)
    if not core_access.is_system_administrator(request.user):
        raise Http404
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = _attempt(
            form, lambda: actions.organisation_create(**form.cleaned_data, actor=request.user)
        )
        if created:
            messages.success(request, _("Organisation %(name)s created.") % {"name": created})
            return redirect("admin_organisation_list")
    return _form_page(
        request, "administration/organisation_form.html", {"organisation": None}, form
    )


@GET_POST
@staff_page
def organisation_edit(request: HttpRequest, pk: str) -> HttpResponse:
    organisation = access.get_organisation(request.user, pk)
    initial = {f: getattr(organisation, f) for f in ("name", "short_name", "kind")}
    form = OrganisationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changed = _attempt(
            form,
            lambda: actions.organisation_update(
                organisation=organisation, **form.cleaned_data, actor=request.user
            ),
        )
        if changed:
            messages.success(request, _("Organisation %(name)s saved.") % {"name": organisation})
            return redirect("admin_organisation_list")
    context = {"organisation": organisation}
    return _form_page(request, "administration/organisation_form.html", context, form)


# --- Sites ---


@staff_page
def site_tree(request: HttpRequest) -> HttpResponse:
    context = {
        "tree": selectors.site_tree(request.user),
        "may_add_country": core_access.is_system_administrator(request.user),
    }
    return render(request, "administration/site_tree.html", context)


def _site_values(form: SiteForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data.setdefault("kind", "")
    return data


def _registry_owners(user: Any) -> QuerySet[Organisation] | None:
    """Who may keep a camp's registry: chosen by system administrators only, as
    it lets one organisation change what others registered."""
    if not core_access.is_system_administrator(user):
        return None
    return Organisation.objects.order_by("name")


@GET_POST
@staff_page
def site_new(request: HttpRequest, parent: str | None = None) -> HttpResponse:
    """A child of a site in scope (its level follows the parent's), or a
    country for a system administrator."""
    access.require_administrator(request.user)
    parent_site = access.get_site(request.user, parent) if parent else None
    if parent_site is None and not core_access.is_system_administrator(request.user):
        raise Http404
    level = Site.CHILD_LEVEL.get(parent_site.level) if parent_site else "country"
    if level is None:
        raise Http404  # nothing goes below a block
    form = SiteForm(
        request.POST or None, level=level, registry_owners=_registry_owners(request.user)
    )
    if request.method == "POST" and form.is_valid():
        site = _attempt(
            form,
            lambda: actions.site_create(
                **_site_values(form), level=level, parent=parent_site, actor=request.user
            ),
        )
        if site:
            messages.success(request, _("%(site)s created.") % {"site": site})
            return redirect("admin_site_tree")
    context = {"parent": parent_site, "level": Site.Level(level).label, "site": None}
    return _form_page(request, "administration/site_form.html", context, form)


@GET_POST
@staff_page
def site_edit(request: HttpRequest, pk: str) -> HttpResponse:
    site = access.get_site(request.user, pk)
    fields = ("name", "name_ar", "name_fr", "code", "kind", "latitude", "longitude")
    form = SiteForm(
        request.POST or None,
        level=site.level,
        initial={**{f: getattr(site, f) for f in fields}, "registry_owner": site.registry_owner},
        registry_owners=_registry_owners(request.user),
    )
    if request.method == "POST" and form.is_valid():
        changed = _attempt(
            form,
            lambda: actions.site_update(site=site, **_site_values(form), actor=request.user),
        )
        if changed:
            messages.success(request, _("%(site)s saved.") % {"site": site})
            return redirect("admin_site_tree")
    context = {"parent": site.parent, "level": site.get_level_display(), "site": site}
    return _form_page(request, "administration/site_form.html", context, form)


@GET_POST
@staff_page
def site_delete(request: HttpRequest, pk: str) -> HttpResponse:
    site = access.get_site(request.user, pk)
    error = ""
    if request.method == "POST":
        name = str(site)
        try:
            actions.site_delete(site=site, actor=request.user)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("%(site)s deleted.") % {"site": name})
            return redirect("admin_site_tree")
    status = 400 if error else 200
    context = {"site": site, "error": error}
    return render(request, "administration/site_delete.html", context, status=status)


# --- Users ---


@GET_POST
@staff_page
def user_list(request: HttpRequest) -> HttpResponse:
    """Search by POST so that names typed never appear in URLs or logs."""
    params = request.POST if request.method == "POST" else request.GET
    query = params.get("q", "").strip()[:100] if request.method == "POST" else ""
    page = selectors.paginate(selectors.user_search(request.user, query), params.get("page"))
    template = (
        "administration/_partials/user_rows.html"
        if is_htmx(request)
        else "administration/user_list.html"
    )
    return render(request, template, {"page": page, "query": query})


@GET_POST
@staff_page
def user_new(request: HttpRequest) -> HttpResponse:
    organisations = access.organisations_for(request.user)
    form = UserCreateForm(
        request.POST or None, organisations=organisations, sites=access.sites_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = _attempt(
            form,
            lambda: actions.user_create(
                username=data["username"],
                password=data["password2"],
                organisation=data["organisation"],
                role=Role(data["role"]),
                sites=data["sites"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                actor=request.user,
            ),
            "username",
        )
        if user:
            messages.success(request, _("User %(name)s created.") % {"name": user.username})
            return redirect("admin_user_detail", pk=user.pk)
    return _form_page(request, "administration/user_new.html", {}, form)


def _user_context(actor: Any, user: Any) -> dict[str, Any]:
    return {
        "subject": user,
        "memberships": access.memberships_for(actor, user).prefetch_related("sites"),
        "other_memberships": user.memberships.count() - access.memberships_for(actor, user).count(),
        "manages_account": access.manages_account(actor, user),
        "is_self": user.pk == actor.pk,
        **selectors.account_facts(user),
    }


@GET_POST
@staff_page
def user_detail(request: HttpRequest, pk: str) -> HttpResponse:
    user = access.get_user(request.user, pk)
    initial = {f: getattr(user, f) for f in ("first_name", "last_name", "email")}
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not access.manages_account(request.user, user):
            raise Http404
        if form.is_valid():
            changed = _attempt(
                form,
                lambda: actions.user_update(user=user, **form.cleaned_data, actor=request.user),
            )
            if changed is not None:
                messages.success(request, _("Saved."))
                return redirect("admin_user_detail", pk=user.pk)
    context = _user_context(request.user, user)
    return _form_page(request, "administration/user_detail.html", context, form)


def _managed_account(request: HttpRequest, pk: str) -> Any:
    user = access.get_user(request.user, pk)
    if not access.manages_account(request.user, user):
        raise Http404
    return user


def _confirm(
    request: HttpRequest, user: Any, write: Callable[[], Any], done: str, context: dict[str, Any]
) -> HttpResponse:
    """A destructive change: GET asks, POST does it (no script needed)."""
    error = ""
    if request.method == "POST":
        try:
            write()
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, done)
            return redirect("admin_user_detail", pk=user.pk)
    context = {"subject": user, "error": error, **context}
    return render(request, "administration/confirm.html", context, status=400 if error else 200)


@GET_POST
@staff_page
def user_deactivate(request: HttpRequest, pk: str) -> HttpResponse:
    user = _managed_account(request, pk)
    return _confirm(
        request,
        user,
        lambda: actions.user_deactivate(user=user, actor=request.user),
        _("%(name)s is deactivated.") % {"name": user.username},
        {
            "title": _("Deactivate %(name)s?") % {"name": user.username},
            "explanation": _(
                "They are signed out everywhere at once, their API tokens are revoked, and "
                "they cannot sign in or send forms from the field until reactivated. Their "
                "records and the audit trail stay."
            ),
            "button": _("Deactivate"),
        },
    )


@require_POST
@staff_page
def user_reactivate(request: HttpRequest, pk: str) -> HttpResponse:
    user = _managed_account(request, pk)
    actions.user_reactivate(user=user, actor=request.user)
    messages.success(
        request,
        _("%(name)s can sign in again. Their old API tokens stay revoked.")
        % {"name": user.username},
    )
    return redirect("admin_user_detail", pk=user.pk)


@GET_POST
@staff_page
def user_two_factor_reset(request: HttpRequest, pk: str) -> HttpResponse:
    user = _managed_account(request, pk)
    return _confirm(
        request,
        user,
        lambda: actions.user_two_factor_reset(user=user, actor=request.user),
        _("%(name)s's authenticator is forgotten; they enrol a new one at their next sign-in.")
        % {"name": user.username},
        {
            "title": _("Reset two-factor login for %(name)s?") % {"name": user.username},
            "explanation": _(
                "Do this when they have lost their phone or authenticator. Their sessions end, "
                "and at their next sign-in they scan a new QR code. Make sure it is really them "
                "who asks."
            ),
            "button": _("Reset two-factor login"),
        },
    )


@GET_POST
@staff_page
def user_field_password(request: HttpRequest, pk: str) -> HttpResponse:
    user = _managed_account(request, pk)
    form = FieldPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _attempt(
            form,
            lambda: field_password_set(
                user=user, password=form.cleaned_data["password2"], actor=request.user
            ),
            "password1",
        )
        if done:
            messages.success(
                request, _("Field password set for %(name)s.") % {"name": user.username}
            )
            return redirect("admin_user_detail", pk=user.pk)
    return _form_page(request, "administration/field_password.html", {"subject": user}, form)


# --- Memberships ---


@GET_POST
@staff_page
def membership_new(request: HttpRequest, pk: str) -> HttpResponse:
    user = access.get_user(request.user, pk)
    form = MembershipForm(
        request.POST or None,
        organisations=access.organisations_for(request.user),
        sites=access.sites_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        added = _attempt(
            form,
            lambda: actions.membership_add(
                user=user,
                organisation=data["organisation"],
                role=Role(data["role"]),
                sites=data["sites"],
                actor=request.user,
            ),
        )
        if added:
            messages.success(request, _("Membership added."))
            return redirect("admin_user_detail", pk=user.pk)
    context = {"subject": user, "membership": None}
    return _form_page(request, "administration/membership_form.html", context, form)


@GET_POST
@staff_page
def membership_edit(request: HttpRequest, pk: str, membership: str) -> HttpResponse:
    user = access.get_user(request.user, pk)
    found = access.get_membership(request.user, user, membership)
    in_scope = access.sites_for(request.user)
    form = MembershipForm(
        request.POST or None,
        organisations=None,
        sites=in_scope,
        initial={"role": found.role, "sites": list(found.sites.all())},
    )
    if request.method == "POST" and form.is_valid():
        # Sites outside this administrator's scope, given by someone else, stay.
        kept = list(found.sites.exclude(pk__in=in_scope.values("pk")))
        changed = _attempt(
            form,
            lambda: actions.membership_change(
                membership=found,
                role=Role(form.cleaned_data["role"]),
                sites=[*form.cleaned_data["sites"], *kept],
                actor=request.user,
            ),
        )
        if changed is not None:
            messages.success(request, _("Membership saved."))
            return redirect("admin_user_detail", pk=user.pk)
    context = {"subject": user, "membership": found}
    return _form_page(request, "administration/membership_form.html", context, form)


@GET_POST
@staff_page
def membership_remove(request: HttpRequest, pk: str, membership: str) -> HttpResponse:
    user = access.get_user(request.user, pk)
    found = access.get_membership(request.user, user, membership)
    label = f"{found.get_role_display()} · {found.organisation.short_name}"
    return _confirm(
        request,
        user,
        lambda: actions.membership_remove(membership=found, actor=request.user),
        _("Membership removed: %(membership)s.") % {"membership": label},
        {
            "title": _("Remove %(name)s's membership %(membership)s?")
            % {"name": user.username, "membership": label},
            "explanation": _(
                "They lose this role and its sites at once; their other memberships stay."
            ),
            "button": _("Remove membership"),
        },
    )


# --- API tokens ---


@GET_POST
@staff_page
def token_new(request: HttpRequest, pk: str) -> HttpResponse:
    user = _managed_account(request, pk)
    form = TokenForm(request.POST or None)
    once = request.POST.get("once", "")
    if request.method == "POST" and once and once in request.session.get(USED_FORMS, []):
        # The one-time page was reloaded: that would make a second token silently.
        messages.info(
            request,
            _(
                "That token was already created and shown once. If it was not copied, revoke it "
                "and create a new one."
            ),
        )
        return redirect("admin_user_detail", pk=user.pk)
    if request.method == "POST" and form.is_valid():
        created = _attempt(form, lambda: _token_create(request, user, form.cleaned_data))
        if created:
            token, raw = created
            if once:
                used = request.session.get(USED_FORMS, [])
                request.session[USED_FORMS] = [*used, once][-20:]
            # Shown on this one response only (no-store); only its digest is kept.
            return render(
                request,
                "administration/token_shown.html",
                {"subject": user, "token": token, "raw": raw},
            )
    context = {"subject": user, "once": once or secrets.token_urlsafe(16)}
    return _form_page(request, "administration/token_form.html", context, form)


# Session key: one-time form ids already used, so that a resubmitted form is noticed.
USED_FORMS = "administration_used_forms"


def _token_create(request: HttpRequest, user: Any, data: dict[str, Any]) -> Any:
    expires = data.get("expires_on")
    expires_at = (
        timezone.make_aware(datetime.combine(expires, time.max)) if expires is not None else None
    )
    return actions.api_token_create(
        user=user,
        name=data["name"],
        expires_at=expires_at,
        scopes=data["scopes"],
        actor=request.user,
    )


@GET_POST
@staff_page
def token_revoke(request: HttpRequest, pk: str, token: str) -> HttpResponse:
    user = _managed_account(request, pk)
    found = access.get_token(request.user, user, token)
    return _confirm(
        request,
        user,
        lambda: actions.api_token_revoke(token=found, actor=request.user),
        _("Token %(prefix)s… revoked.") % {"prefix": found.prefix},
        {
            "title": _("Revoke the token %(prefix)s… (%(name)s)?")
            % {"prefix": found.prefix, "name": found.name},
            "explanation": _(
                "Every client using it is refused from the next request. This cannot be undone; "
                "create a new token if one is needed again."
            ),
            "button": _("Revoke token"),
        },
    )
