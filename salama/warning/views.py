"""Pages of early warning, under /warning/: the alerts of the user's sites, one
alert with its site's risk factors and its verification, and the risk factors."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salama.core import access as core_access
from salama.core.decorators import staff_page
from salama.core.models import Site
from salama.core.roles import Perm
from salama.registry.selectors import paginate
from salama.warning import access, actions, selectors
from salama.warning.forms import RiskFactorForm, VerifyForm
from salama.warning.models import Signal
from salama.warning.signals import INDICATORS


def _require(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


@staff_page
def alert_list(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.AGGREGATE_VIEW)
    alerts = access.alerts_for(request.user)
    signal = request.GET.get("signal", "")
    if signal in Signal.values:
        alerts = alerts.filter(signal=signal)
    if request.GET.get("status") == "waiting":
        alerts = alerts.filter(outcome="")
    page = paginate(alerts, request.GET.get("page"))
    exact = access.verifiable_ids(request.user, [a.pk for a in page])
    rows = [(a, selectors.shown_count(a.observed, a.pk in exact)) for a in page]
    context = {
        "page": page,
        "rows": rows,
        "rates": selectors.verification_rates(access.alerts_for(request.user)),
        "signals": Signal.choices,
        "signal": signal,
        "status": request.GET.get("status", ""),
    }
    return render(request, "warning/list.html", context)


@staff_page
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Perm.AGGREGATE_VIEW)
    alert = access.get_alert(request.user, pk)
    verifier = access.may_verify(request.user, alert)
    denominator = alert.denominator
    context = {
        "alert": alert,
        "reference": actions.alert_reference(alert),
        "observed": selectors.shown_count(alert.observed, verifier),
        "denominator": None
        if denominator is None
        else selectors.shown_count(denominator, verifier),
        "screened_signals": list(INDICATORS),
        # Which blocks a cluster or rise touched: for those who verify it only.
        "places": selectors.place_names(alert.places, request.LANGUAGE_CODE) if verifier else [],
        "may_verify": verifier and not alert.outcome,
        "form": VerifyForm(),
        "factors": selectors.risk_factors_holding(alert.site_path),
    }
    return render(request, "warning/detail.html", context)


@staff_page
@require_POST
def alert_verify(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request, Perm.WARNING_VERIFY)
    alert = access.get_alert(request.user, pk)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what the verification found."))
        return redirect("warning_alert", pk=alert.pk)
    try:
        actions.alert_verify(user=request.user, alert=alert, **form.cleaned_data)
    except actions.WarningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The verification is recorded."))
    return redirect("warning_alert", pk=alert.pk)


def _sites(request: HttpRequest, perm: Perm) -> list[Site]:
    paths = core_access.site_paths(request.user, perm)
    return [
        s
        for s in Site.objects.exclude(kind="")
        if any(s.path.startswith(p) or p.startswith(s.path) for p in paths)
    ]


@staff_page
def risk_factors(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.AGGREGATE_VIEW)
    sites = _sites(request, Perm.AGGREGATE_VIEW)
    keeper_sites = _sites(request, Perm.WARNING_VERIFY)
    form = RiskFactorForm(request.POST or None)
    form.fields["site"].choices = [(s.pk, s.name_in(request.LANGUAGE_CODE)) for s in keeper_sites]  # type: ignore[attr-defined]
    if request.method == "POST":
        _require(request, Perm.WARNING_VERIFY)
        if form.is_valid():
            data = dict(form.cleaned_data)
            site = next(s for s in keeper_sites if s.pk == data.pop("site"))
            try:
                actions.risk_factor_add(user=request.user, site=site, data=data)
            except actions.WarningError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The risk factor is recorded."))
                return redirect("warning_risk")
    context = {
        "factors": selectors.risk_factors_at({s.pk for s in sites}),
        "form": form if keeper_sites else None,
    }
    return render(request, "warning/risk.html", context)
