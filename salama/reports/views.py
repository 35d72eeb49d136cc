"""Pages of the four-pillar reports, under /reports/: the dashboard of a site
and period (figures with their definitions, charts drawn on the server), its
printable PDF, the HXL and differentially private downloads, the
participation records, the WPS Index scores and the release log with the
case-level export."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from salama.core import access as core_access
from salama.core.decorators import staff_page
from salama.core.roles import Perm
from salama.lib.charts.svg import bar_chart
from salama.lib.sharing.wps import WpsFileError
from salama.registry.selectors import paginate
from salama.reports import access, actions, figures, pdf, sharing
from salama.reports.forms import (
    CommitteeForm,
    ConsultationForm,
    CtdcForm,
    DpForm,
    PeriodForm,
    WpsForm,
)
from salama.reports.models import Release, WpsScore

WPS_MAX_BYTES = 1_000_000


def _require(request: HttpRequest, perm: Perm) -> None:
    if not core_access.has_perm(request.user, perm):
        raise Http404


LAST_SITE = "reports_site"  # the site last reported on: the next report starts there


def _period(request: HttpRequest, data: QueryDict) -> tuple[PeriodForm, Any]:
    """The period form and, when it is valid, the site (in the user's scope) and days."""
    sites = access.report_sites(request.user)
    form = PeriodForm(data, sites, request.LANGUAGE_CODE, request.session.get(LAST_SITE))
    if not sites or not form.is_valid():
        return form, None
    # The form's choices are the user's sites, so the chosen one is among them.
    site = next(s for s in sites if s.pk == form.cleaned_data["site"])
    if request.session.get(LAST_SITE) != site.pk:
        request.session[LAST_SITE] = site.pk
    return form, (site, form.cleaned_data["start"], form.cleaned_data["end"])


def _charts(report: figures.Report, rtl: bool) -> dict[str, str]:
    """An SVG chart per breakdown worth drawing (two groups or more)."""
    hidden = _("hidden")
    charts: dict[str, str] = {}
    for figure in report.figures():
        for breakdown in figure.breakdowns:
            if len(breakdown.rows) >= 2:
                title = f"{figure.definition.label}: {breakdown.by}"
                svg = bar_chart(breakdown.labelled(), title=title, hidden_label=hidden, rtl=rtl)
                charts[f"{figure.key}:{breakdown.by}"] = mark_safe(svg)  # noqa: S308 (escaped by lib/charts)
    return charts


@staff_page
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.AGGREGATE_VIEW)
    form, chosen = _period(request, request.GET)
    context: dict[str, Any] = {"form": form, "report": None}
    if chosen:
        site, start, end = chosen
        report = figures.pillar_report(site, start, end, settings.SALAMA_SUPPRESSION_K)
        context |= {
            "report": report,
            "charts": _charts(report, translation.get_language_bidi()),
            "query": request.GET.urlencode(),
            "sharing_k": actions.sharing_k(),
            "dp_form": DpForm(),
            "dp_available": sharing.dp_available(),
        }
    context |= {
        "may_keep": core_access.has_perm(request.user, Perm.REPORTS_KEEP),
        "may_share": core_access.has_perm(request.user, Perm.CASES_SHARE),
    }
    return render(request, "reports/dashboard.html", context, status=400 if form.errors else 200)


def _shared_report(request: HttpRequest, data: QueryDict) -> figures.Report:
    form, chosen = _period(request, data)
    if not chosen:
        raise Http404
    site, start, end = chosen
    return figures.pillar_report(site, start, end, actions.sharing_k())


def _log(request: HttpRequest, kind: str, report: figures.Report, **facts: Any) -> Release:
    return actions.release_record(
        user=request.user,
        kind=kind,
        site=report.site,
        start=report.start,
        end=report.end,
        **facts,
    )


def _download(body: str | bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _name(report: figures.Report, suffix: str) -> str:
    return f"salama-{report.site.code}-{report.start}-{report.end}{suffix}"


@staff_page
@require_GET
def report_pdf(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.AGGREGATE_VIEW)
    report = _shared_report(request, request.GET)
    language = request.GET.get("lang") or request.LANGUAGE_CODE
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = "en"
    with translation.override(language):
        body = pdf.report_pdf(report, language)
    _log(
        request,
        Release.Kind.PDF,
        report,
        k=report.k,
        cells=report.tally.cells,
        hidden=report.hidden,
    )
    return _download(body, "application/pdf", _name(report, f"-{language}.pdf"))


@staff_page
@require_GET
def report_hxl(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.AGGREGATE_VIEW)
    report = _shared_report(request, request.GET)
    body = sharing.hxl_csv(report)
    _log(
        request,
        Release.Kind.HXL,
        report,
        k=report.k,
        cells=report.tally.cells,
        hidden=report.hidden,
    )
    return _download(body, "text/csv; charset=utf-8", _name(report, "-hxl.csv"))


@staff_page
@require_POST
def report_dp(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.AGGREGATE_VIEW)
    form = DpForm(request.POST)
    if not sharing.dp_available():
        messages.error(request, _("Differential privacy is not installed on this server (opendp)."))
        return redirect(reverse("reports") + "?" + request.POST.urlencode())
    if not form.is_valid():
        messages.error(request, _("Choose a privacy loss between 0.05 and 10."))
        return redirect(reverse("reports") + "?" + request.POST.urlencode())
    report = _shared_report(request, request.POST)
    noisy, budget = sharing.noisy_report(report, form.cleaned_data["epsilon"])
    try:
        actions.dp_release_record(
            user=request.user,
            site=report.site,
            start=report.start,
            end=report.end,
            cells=sum(s.cells for s in budget.spends),
            mechanism=sharing.budget_note(budget, form.cleaned_data["epsilon"]),
            epsilon=budget.spent,
        )
    except actions.ReportError as exc:  # the noisy counts are dropped unseen: no loss
        messages.error(request, str(exc))
        return redirect(reverse("reports") + "?" + request.POST.urlencode())
    body = sharing.noisy_csv(noisy, budget)
    return _download(body, "text/csv; charset=utf-8", _name(report, "-dp.csv"))


def _keeper_sites(request: HttpRequest) -> list[Any]:
    return access.report_sites(request.user, Perm.REPORTS_KEEP)


def _with_sites(form: Any, sites: list[Any], language: str) -> Any:
    form.fields["site"].choices = [(s.pk, s.name_in(language)) for s in sites]
    return form


@staff_page
def participation(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.REPORTS_KEEP)
    sites = _keeper_sites(request)
    language = request.LANGUAGE_CODE
    which = request.POST.get("record", "")
    consultation = _with_sites(
        ConsultationForm(request.POST if which == "consultation" else None), sites, language
    )
    committee = _with_sites(
        CommitteeForm(request.POST if which == "committee" else None), sites, language
    )
    if request.method == "POST":
        form = consultation if which == "consultation" else committee
        if which in ("consultation", "committee") and form.is_valid():
            data = dict(form.cleaned_data)
            site = access.get_report_site(request.user, data.pop("site"), Perm.REPORTS_KEEP)
            record = (
                actions.consultation_record if which == "consultation" else actions.committee_record
            )
            try:
                record(user=request.user, site=site, data=data)
            except actions.ReportError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The record is saved."))
                return redirect("reports_participation")
    context = {
        "consultations": paginate(access.consultations_for(request.user), request.GET.get("page")),
        "committees": access.committees_for(request.user)[:50],
        "consultation_form": consultation,
        "committee_form": committee,
    }
    status = 400 if consultation.errors or committee.errors else 200
    return render(request, "reports/participation.html", context, status=status)


@staff_page
def wps(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.AGGREGATE_VIEW)
    may_import = core_access.has_perm(request.user, Perm.REPORTS_KEEP)
    posted = request.method == "POST"
    form = WpsForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST":
        _require(request, Perm.REPORTS_KEEP)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > WPS_MAX_BYTES:
                    raise WpsFileError("the file is larger than 1 MB")
                text = upload.read().decode("utf-8")
                created, replaced = actions.wps_import(user=request.user, text=text)
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text (save it as CSV UTF-8)."))
            except (WpsFileError, ValidationError) as exc:
                form.add_error("file", str(exc))
            else:
                messages.success(
                    request,
                    _("%(created)d scores imported, %(replaced)d replaced.")
                    % {"created": created, "replaced": replaced},
                )
                return redirect("reports_wps")
    context = {
        "scores": paginate(WpsScore.objects.all(), request.GET.get("page")),
        "form": form if may_import else None,
    }
    return render(request, "reports/wps.html", context, status=400 if form.errors else 200)


@staff_page
def releases(request: HttpRequest) -> HttpResponse:
    _require(request, Perm.AGGREGATE_VIEW)
    agreements = access.ctdc_agreements(request.user)
    form = CtdcForm(request.POST if request.method == "POST" else None)
    form.fields["agreement"].choices = [(str(a.pk), a.recipient) for a in agreements]  # type: ignore[attr-defined]
    if request.method == "POST":
        _require(request, Perm.CASES_SHARE)
        if form.is_valid():
            agreement = access.get_ctdc_agreement(request.user, form.cleaned_data["agreement"])
            release = actions.ctdc_export_request(
                user=request.user, agreement=agreement, password=form.cleaned_data["password1"]
            )
            assert release.export is not None
            target = reverse("privacy_export", args=[release.export.pk])
            return redirect(reverse("job_detail", args=[release.export.job_id]) + f"?next={target}")
    context = {
        "releases": paginate(access.releases_for(request.user), request.GET.get("page")),
        "form": form if core_access.has_perm(request.user, Perm.CASES_SHARE) else None,
        "agreements": agreements,
        "sharing_k": actions.sharing_k(),
    }
    return render(request, "reports/releases.html", context, status=400 if form.errors else 200)
