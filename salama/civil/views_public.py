"""The public verification page, without an account: /verify/{serial}.

It confirms a valid document and shows only what is printed on it; an unknown
serial answers 404 and a revoked one 410 with the date of revocation. Look-ups
are counted and limited per client (a keyed hash of its network)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from salama.civil import access, certificates, keys
from salama.civil.models import Verification
from salama.tracing.views_public import client_key


def _limited(client: str) -> bool:
    since = timezone.now() - timedelta(hours=1)
    used = Verification.objects.filter(client=client, at__gte=since).count()
    return used >= settings.SALAMA_CIVIL_VERIFICATIONS_PER_CLIENT


@never_cache
@require_GET
def verify_form(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("serial", "").upper()
    # Letters and digits only: a serial has nothing else (and a "/" would make no address).
    serial = "".join(c for c in typed if c.isascii() and c.isalnum())
    if serial:
        return redirect("civil_verify", serial=serial[:40])
    return render(request, "civil/verify_form.html", {})


@never_cache
@require_GET
def verify(request: HttpRequest, serial: str) -> HttpResponse:
    client = client_key(request)
    if _limited(client):
        Verification.objects.create(at=timezone.now(), outcome="limited", client=client)
        return render(request, "civil/verify_limited.html", {}, status=429)
    certificate = access.certificate_by_serial(serial[:40])
    outcome = "unknown" if certificate is None else "revoked" if certificate.revoked_at else "valid"
    Verification.objects.create(
        at=timezone.now(), outcome=outcome, client=client, certificate=certificate
    )
    if certificate is None:
        return render(request, "civil/verify_unknown.html", {"serial": serial[:40]}, status=404)
    context: dict[str, Any] = {"certificate": certificate}
    if certificate.revoked_at is not None:
        return render(request, "civil/verify_revoked.html", context, status=410)
    context["rows"] = certificates.printed_rows(certificate)
    context["title"] = certificates.TITLES[(certificate.kind, certificate.printed["event"])]
    return render(request, "civil/verify_valid.html", context)


@require_GET
def public_key(request: HttpRequest) -> HttpResponse:
    """The deployment's public key, to check QR codes offline."""
    response = HttpResponse(keys.public_pem(), content_type="application/x-pem-file")
    response["Content-Disposition"] = 'inline; filename="salama-certificates.pem"'
    return response
