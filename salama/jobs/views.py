"""The jobs pages: one job's progress, and the list administrators check."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from salama.core.decorators import staff_page
from salama.jobs import access, actions, selectors
from salama.jobs.models import Job


def _next_url(request: HttpRequest) -> str:
    """Where to continue once the job is done: a page of this site only."""
    target = request.GET.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return ""


def _job_context(request: HttpRequest, job: Job) -> dict[str, object]:
    return {
        "next_url": _next_url(request),
        "job": job,
        "label": selectors.job_label(job),
        "message": selectors.progress_message(job),
        "waiting_for_worker": selectors.waiting_for_worker(job, timezone.now()),
        "can_retry": job.status == Job.Status.FAILED and access.may_administer(request.user),
    }


@staff_page
def job_detail(request: HttpRequest, pk: str) -> HttpResponse:
    job = access.get_job(request.user, pk)
    return render(request, "jobs/job_detail.html", _job_context(request, job))


@staff_page
def job_progress(request: HttpRequest, pk: str) -> HttpResponse:
    job = access.get_job(request.user, pk)
    return render(request, "jobs/_partials/job_progress.html", _job_context(request, job))


@staff_page
def job_list(request: HttpRequest) -> HttpResponse:
    if not access.may_administer(request.user):
        raise Http404
    status = request.GET.get("status", "")
    if status not in selectors.STATUS_FILTERS:
        status = ""
    jobs = selectors.jobs_listed(access.jobs_administered(request.user), status)
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    rows = [(job, selectors.job_label(job)) for job in page.object_list]
    context = {"page": page, "rows": rows, "status": status, "filters": selectors.STATUS_FILTERS}
    return render(request, "jobs/job_list.html", context)


@require_http_methods(["GET", "POST"])
@staff_page
def job_retry(request: HttpRequest, pk: str) -> HttpResponse:
    """GET asks for confirmation; POST runs the failed job again."""
    if not access.may_administer(request.user):
        raise Http404
    job = access.get_job_administered(request.user, pk)
    if request.method == "POST":
        try:
            actions.job_retry(user=request.user, job=job)
        except actions.NotRetryable:
            messages.error(request, _("Only a failed job can be retried."))
        else:
            messages.success(request, _("The job was queued again."))
        return redirect("job_detail", pk=job.pk)
    return render(request, "jobs/job_retry.html", _job_context(request, job))
