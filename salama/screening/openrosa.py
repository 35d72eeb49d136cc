"""OpenRosa 1.0 for ODK Collect, KoboCollect and Enketo: form list, form
download, manifest and submission, behind HTTP Digest authentication with a
field password (see `salama fieldpassword`). Every answer carries
X-OpenRosa-Version: 1.0; errors are OpenRosaResponse messages a field
worker can read. Server base URL for devices: https://HOST/openrosa"""

from collections.abc import Callable
from functools import wraps
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from salama.core import access as core_access
from salama.core import api_auth
from salama.core.models import ApiToken
from salama.core.roles import Perm
from salama.lib.screening import digest
from salama.screening import access, actions, field_forms, selectors

View = Callable[..., HttpResponse]


def _headers(response: HttpResponse) -> HttpResponse:
    response["X-OpenRosa-Version"] = "1.0"
    response["Date"] = http_date()
    response["Cache-Control"] = "no-store"
    return response


def openrosa_message(message: str, status: int, nature: str = "") -> HttpResponse:
    attribute = f' nature="{nature}"' if nature else ""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        f"<message{attribute}>{escape(message)}</message></OpenRosaResponse>"
    )
    return _headers(HttpResponse(body, status=status, content_type="text/xml; charset=utf-8"))


def _key() -> bytes:
    return settings.SECRET_KEY.encode()


def _challenge(stale: bool = False) -> HttpResponse:
    """401 with a new nonce; stale=true tells the client that its nonce only
    expired, so it answers again without asking the user."""
    response = openrosa_message(_("Sign in with your field user name and field password."), 401)
    nonce = actions.digest_nonce_issue(key=_key())
    response["WWW-Authenticate"] = digest.challenge(actions.DIGEST_REALM, nonce, stale)
    return response


def digest_required(view: View) -> View:
    """Let the request through with request.user set to the field user, or
    answer 401 with a Digest challenge."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = _authenticated(request, *args, **kwargs)
        if request.method == "HEAD":
            # waitress sends what it is given; a body after a HEAD answer
            # would be read by the client as the start of the next response.
            response.content = b""
        return response

    def _authenticated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        authorization = request.headers.get("Authorization", "")
        if authorization[:7].lower() == "bearer ":
            return _with_token(request, authorization[7:].strip(), *args, **kwargs)
        params = digest.parse(authorization)
        if params is None or "nonce" not in params:
            return _challenge()
        state = digest.nonce_state(params["nonce"], _key(), timezone.now().timestamp())
        count = digest.nonce_count(params)
        if state != "fresh" or count is None:
            return _challenge(stale=state == "stale")
        username = params.get("username", "")[:150]
        failures = selectors.field_login_failures(username)  # shared by every server process
        if failures >= settings.AXES_FAILURE_LIMIT:
            return _challenge()  # locked: the same answer as a wrong password (PROTECTION.md 22)
        credential = access.field_credential(username)
        ok = (
            credential is not None
            and params.get("uri") == request.get_full_path()
            and digest.verify(params, credential.ha1, request.method or "GET")
        )
        if not ok or credential is None:
            actions.field_login_failed(username=username)
            return _challenge()
        if failures:
            actions.field_login_succeeded(username=username)
        # Only now, with a right answer, is the nonce count spent: a captured
        # header sent again (with any body) is refused in every server process.
        state = actions.digest_nonce_use(value=params["nonce"], count=count, key=_key())
        if state != "fresh":
            return _challenge(stale=state == "stale")
        user = credential.user
        if not user.is_active or not core_access.has_perm(user, Perm.FIELD_SUBMIT):
            return openrosa_message(_("This user may not collect data in the field."), 403)
        request.user = user
        return view(request, *args, **kwargs)

    def _with_token(request: HttpRequest, raw: str, *args: Any, **kwargs: Any) -> HttpResponse:
        """A server relaying submissions (Enketo, a KoboToolbox bridge) may use a
        bearer token with the field scope instead of Digest."""
        try:
            user = api_auth.token_user(raw, ApiToken.Scope.FIELD)
        except PermissionDenied:
            return openrosa_message(_("This token may not collect data in the field."), 403)
        if user is None:
            return _challenge()
        if not core_access.has_perm(user, Perm.FIELD_SUBMIT):
            return openrosa_message(_("This user may not collect data in the field."), 403)
        request.user = user
        return view(request, *args, **kwargs)

    return wrapped


@csrf_exempt
@require_http_methods(["GET", "HEAD"])
@digest_required
def form_list(request: HttpRequest) -> HttpResponse:
    entries = []
    for form in field_forms.offered(request.user).values():
        download = request.build_absolute_uri(reverse("openrosa_form", args=[form.form_id]))
        manifest = request.build_absolute_uri(reverse("openrosa_manifest", args=[form.form_id]))
        entries.append(
            "<xform>"
            f"<formID>{escape(form.form_id)}</formID><name>{escape(form.title)}</name>"
            f"<version>{escape(form.version)}</version><hash>md5:{form.md5}</hash>"
            f"<downloadUrl>{escape(download)}</downloadUrl>"
            f"<manifestUrl>{escape(manifest)}</manifestUrl></xform>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<xforms xmlns="http://openrosa.org/xforms/xformsList">' + "".join(entries) + "</xforms>"
    )
    return _headers(HttpResponse(body, content_type="text/xml; charset=utf-8"))


@csrf_exempt
@require_http_methods(["GET", "HEAD"])
@digest_required
def form_download(request: HttpRequest, form_id: str) -> HttpResponse:
    form = field_forms.offered(request.user).get(form_id)
    if form is None:
        return openrosa_message(_("No such form on this server."), 404)
    return _headers(HttpResponse(form.xml, content_type="text/xml; charset=utf-8"))


@csrf_exempt
@require_http_methods(["GET", "HEAD"])
@digest_required
def form_xlsform(request: HttpRequest, form_id: str) -> HttpResponse:
    if form_id not in field_forms.offered(request.user):
        return openrosa_message(_("No such form on this server."), 404)
    response = HttpResponse(
        field_forms.xlsform_for(form_id, request.user),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{form_id}.xlsx"'
    return _headers(response)


@csrf_exempt
@require_http_methods(["GET", "HEAD"])
@digest_required
def manifest(request: HttpRequest, form_id: str) -> HttpResponse:
    if form_id not in field_forms.offered(request.user):
        return openrosa_message(_("No such form on this server."), 404)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest xmlns="http://openrosa.org/xforms/xformsManifest"></manifest>'
    )
    return _headers(HttpResponse(body, content_type="text/xml; charset=utf-8"))


@csrf_exempt
@require_http_methods(["HEAD", "POST"])
@digest_required
def submission(request: HttpRequest) -> HttpResponse:
    limit = settings.SALAMA_OPENROSA_MAX_BYTES
    if request.method == "HEAD":
        response = _headers(HttpResponse(status=204))
        response["X-OpenRosa-Accept-Content-Length"] = str(limit)
        return response
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        return openrosa_message(_("The submission is too large for this server."), 413)
    files = request.FILES
    part = files.get("xml_submission_file")
    xml: bytes | str
    if part is not None:
        xml = part.read()
    elif request.POST.get("xml_submission_file"):
        # Already text (decoded as the form post's charset): its XML
        # declaration no longer applies.
        xml = request.POST["xml_submission_file"]
    else:
        return openrosa_message(_("The submission has no xml_submission_file part."), 400)
    attachments = []
    for name in files:
        if name == "xml_submission_file":
            continue
        upload = files.getlist(name)[-1]
        if (upload.size or 0) > limit:
            return openrosa_message(_("Attachment %(name)s is too large.") % {"name": name}, 413)
        filename = upload.name or name
        attachments.append((filename, upload.content_type or "", upload.read()))
    try:
        received = actions.submission_receive(user=request.user, xml=xml, attachments=attachments)
    except actions.SubmissionRefused as refused:
        return openrosa_message(refused.message, refused.status)
    response = openrosa_message(received.message, received.status, "submit_success")
    response["Location"] = request.build_absolute_uri()
    return response
