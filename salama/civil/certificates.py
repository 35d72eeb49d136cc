"""Certificates, registration records and notifications: what is printed,
the signed statement in the QR code, the PDF, revocation and verification.

What is printed is fixed when the document is issued (Certificate.printed), so
that a reprint is the same document and the public verification page shows
exactly what the paper shows and nothing more."""

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.audit.actions import audit_record
from salama.civil import access, keys
from salama.civil.models import Action, Certificate, CivilEvent, EventType, Party, Status
from salama.lib.civil import statement
from salama.lib.pdfdocs import CertificateDoc, CertificateSection, civil_certificate

PURPOSE = access.PURPOSE
_SERIAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SERIAL_LENGTH = 12  # 60 bits: serials cannot be guessed or walked through

# Row labels, translated when printed or shown (keys are stored, not words).
LABELS = {
    "number": gettext_lazy("Registration number"),
    "serial": gettext_lazy("Serial"),
    "date_birth": gettext_lazy("Date of birth"),
    "date_stillbirth": gettext_lazy("Date of delivery"),
    "date_marriage": gettext_lazy("Date of marriage"),
    "date_divorce": gettext_lazy("Date of divorce"),
    "date_death": gettext_lazy("Date of death"),
    "place": gettext_lazy("Place"),
    "child": gettext_lazy("Child"),
    "sex": gettext_lazy("Sex"),
    "mother": gettext_lazy("Mother"),
    "father": gettext_lazy("Father"),
    "spouse": gettext_lazy("Spouse"),
    "deceased": gettext_lazy("Deceased"),
    "born": gettext_lazy("Date of birth of the deceased"),
    "officiant": gettext_lazy("Officiant"),
    "registered": gettext_lazy("Registered on"),
    "registrar": gettext_lazy("Registered by"),
    "state_number": gettext_lazy("State certificate number"),
}
SEX_WORDS = {
    "F": gettext_lazy("Female"),
    "M": gettext_lazy("Male"),
    "X": gettext_lazy("Other"),
    "U": gettext_lazy("Unknown"),
}
TITLES = {
    ("certificate", "birth"): gettext_lazy("Birth certificate"),
    ("certificate", "stillbirth"): gettext_lazy("Certificate of stillbirth"),
    ("certificate", "marriage"): gettext_lazy("Marriage certificate"),
    ("certificate", "divorce"): gettext_lazy("Divorce certificate"),
    ("certificate", "death"): gettext_lazy("Death certificate"),
    ("record", "birth"): gettext_lazy("Registration record of a birth"),
    ("record", "stillbirth"): gettext_lazy("Registration record of a stillbirth"),
    ("record", "marriage"): gettext_lazy("Registration record of a marriage"),
    ("record", "divorce"): gettext_lazy("Registration record of a divorce"),
    ("record", "death"): gettext_lazy("Registration record of a death"),
    ("notification", "birth"): gettext_lazy("Notification of a birth"),
    ("notification", "stillbirth"): gettext_lazy("Notification of a stillbirth"),
    ("notification", "death"): gettext_lazy("Notification of a death"),
}
NOTES = {
    "certificate": gettext_lazy("Registration is free of charge."),
    "record": gettext_lazy(
        "This record is not the state's certificate: take it to %(authority)s, which issues "
        "the certificate. Registration is free of charge."
    ),
    "notification": gettext_lazy(
        "This is a notification, not a certificate: it does not register the event. Bring it "
        "to the civil registration desk, free of charge."
    ),
}
WATERMARK = gettext_lazy("NOTIFICATION — NOT A CERTIFICATE")


class CertificateError(ValueError):
    def __init__(self, message: Any, *, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.code = code


def _serial() -> str:
    while True:
        serial = "".join(secrets.choice(_SERIAL_ALPHABET) for _ in range(SERIAL_LENGTH))
        if not Certificate.objects.filter(serial=serial).exists():
            return serial


def kind_for(event: CivilEvent) -> str:
    if event.status == Status.NOTIFIED:
        return Certificate.Kind.NOTIFICATION
    if event.status != Status.REGISTERED:
        raise CertificateError(
            _("Only a registered record has a certificate (or a notification its notice)."),
            code="not_registered",
        )
    return (
        Certificate.Kind.CERTIFICATE
        if settings.SALAMA_CIVIL_REGISTRAR == "state"
        else Certificate.Kind.RECORD
    )


def _names(person: Any) -> str:
    """The name as printed: the person's own script, and the Latin beside it
    when the two differ."""
    original, latin = person.name("original"), person.name("latin")
    return original if original == latin or not latin else f"{original} / {latin}"


def _rows(event: CivilEvent) -> list[list[str]]:
    rows: list[list[str]] = []
    if event.number:
        rows.append(["number", event.number])
    rows.append([f"date_{event.event_type}", event.event_date.isoformat()])
    rows.append(["place", event.place])
    parties = list(event.parties.select_related("person"))
    if event.event_type == EventType.BIRTH:
        child = event.child
        rows.append(["child", _names(child) if child else _child_from_details(event)])
        rows.append(["sex", str(event.details.get("child_sex") or "U")])
    for party in parties:
        if party.role in {Party.Role.MOTHER, Party.Role.FATHER, Party.Role.SPOUSE}:
            rows.append([party.role, _names(party.person)])
        elif party.role == Party.Role.DECEASED and party.person is not None:
            rows.append(["deceased", _names(party.person)])
            if party.person.birth_date:
                rows.append(["born", party.person.birth_date.isoformat()])
    if event.officiant_name:
        rows.append(["officiant", event.officiant_name])
    if event.registered_at:
        rows.append(["registered", timezone.localdate(event.registered_at).isoformat()])
    rows.append(["registrar", str(event.organisation.name)])
    if event.state_certificate_number:
        rows.append(["state_number", event.state_certificate_number])
    return rows


def _child_from_details(event: CivilEvent) -> str:
    d = event.details
    parts = [d.get("child_given_name"), d.get("child_father_name"), d.get("child_family_name")]
    return " ".join(str(p) for p in parts if p)


def _printed(event: CivilEvent, kind: str) -> dict[str, Any]:
    rows = _rows(event)
    names = [v for k, v in rows if k in {"child", "mother", "father", "spouse", "deceased"}]
    dates = [v for k, v in rows if k.startswith("date_") or k in {"born", "registered"}]
    return {"kind": kind, "event": event.event_type, "rows": rows, "names": names, "dates": dates}


def _statement(certificate: Certificate) -> statement.Statement:
    printed = certificate.printed
    event = certificate.event
    return statement.Statement(
        serial=certificate.serial,
        event=event.event_type,
        number=event.number or event.reference,
        date=event.event_date.isoformat(),
        issued=timezone.localdate(certificate.issued_at).isoformat(),
        names=tuple(printed["names"]),
        dates=tuple(printed["dates"]),
        kind=certificate.kind,
        place=event.place,
    )


def base_url() -> str:
    """The address printed on documents: they are kept for years, so a
    deployment without its own address issues none."""
    if not settings.SALAMA_BASE_URL:
        raise CertificateError(
            _(
                "SALAMA_BASE_URL is not set: a document would send people to a wrong "
                "address. An administrator sets it to this deployment's public address."
            ),
            code="no_base_url",
        )
    return str(settings.SALAMA_BASE_URL)


def _journal(event: CivilEvent, kind: str, user: Any, note: str = "", changes: Any = None) -> None:
    Action.objects.create(
        event=event, kind=kind, user=user, at=timezone.now(), note=note, changes=changes or {}
    )


@transaction.atomic
def certificate_issue(
    *, user: Any, event: CivilEvent, replacing: Certificate | None = None
) -> Certificate:
    """A new document for the record, with a random serial and its signed
    statement. A pending correction stops it: it would print what is wrong."""
    from salama.civil.models import Flag

    event = access.event_for_update(event)
    if Flag.CORRECTION in event.flags:
        raise CertificateError(
            _("A correction is requested: correct the record before issuing a document."),
            code="correction_pending",
        )
    kind = kind_for(event)
    certificate = Certificate(
        serial=_serial(),
        event=event,
        kind=kind,
        issued_at=timezone.now(),
        issued_by=user,
        printed=_printed(event, kind),
    )
    certificate.statement = statement.encode(
        _statement(certificate), keys.private_key(), base_url=base_url()
    )
    certificate.save(force_insert=True)
    if replacing is not None:
        replacing.replaced_by = certificate
        replacing.save(update_fields=["replaced_by"])
    _journal(event, Action.Kind.CERTIFIED, user, certificate.serial, {"kind": kind})
    audit_record(
        user=user,
        action="create",
        purpose=PURPOSE,
        model="civil.Certificate",
        record_id=certificate.pk,
    )
    return certificate


def languages() -> list[str]:
    return [c for c in settings.SALAMA_CIVIL_CERTIFICATE_LANGUAGES if c in {"ar", "en", "fr"}]


def _value(key: str, value: str) -> str:
    return str(SEX_WORDS.get(value, value)) if key == "sex" else value


def _section(certificate: Certificate, lang: str) -> CertificateSection:
    printed = certificate.printed
    with translation.override(lang):
        rows = [(str(LABELS[k]), _value(k, v)) for k, v in printed["rows"]]
        rows.append((str(LABELS["serial"]), certificate.serial))
        note = str(NOTES[certificate.kind])
        if certificate.kind == Certificate.Kind.RECORD:
            note = note % {"authority": settings.SALAMA_CIVIL_AUTHORITY}
        return CertificateSection(
            language=lang,
            title=str(TITLES[(certificate.kind, printed["event"])]),
            rows=rows,
            note=note,
        )


def certificate_pdf(*, user: Any, certificate: Certificate, template: str = "a4") -> bytes:
    """The PDF, its print journaled (who, when, which template)."""
    langs = languages()
    with translation.override(langs[0]):
        watermark = str(WATERMARK) if certificate.kind == Certificate.Kind.NOTIFICATION else ""
        revoked = _("REVOKED") if certificate.revoked_at else ""
    pdf = civil_certificate(
        CertificateDoc(
            sections=[_section(certificate, lang) for lang in langs],
            serial=certificate.serial,
            qr_text=certificate.statement,
            verify_label=_verify_labels(langs),
            kind=certificate.kind,
            watermark=watermark,
            revoked=revoked,
        )
    )
    with transaction.atomic():
        _journal(
            certificate.event,
            Action.Kind.PRINTED,
            user,
            certificate.serial,
            {"template": template, "languages": langs},
        )
        audit_record(
            user=user,
            action="export",
            purpose=PURPOSE,
            model="civil.Certificate",
            record_id=certificate.pk,
        )
    return pdf


def _verify_labels(langs: list[str]) -> dict[str, str]:
    labels = {}
    for lang in langs:
        with translation.override(lang):
            labels[lang] = _("Check this document at")
    return labels


@transaction.atomic
def certificate_revoke(*, user: Any, certificate: Certificate, reason: str) -> Certificate:
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise CertificateError(_("This document is already revoked."), code="revoked")
    reason = str(reason or "").strip()
    if len(reason) < 5:
        raise CertificateError(_("Give the reason for the revocation (at least 5 characters)."))
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.save(update_fields=["revoked_at", "revoked_reason"])
    _journal(certificate.event, Action.Kind.REVOKED, user, reason, {"serial": certificate.serial})
    audit_record(
        user=user,
        action="update",
        purpose=PURPOSE,
        model="civil.Certificate",
        record_id=certificate.pk,
        changed_fields=["revoked_at"],
    )
    return certificate


@transaction.atomic
def certificate_reissue(*, user: Any, certificate: Certificate, reason: str) -> Certificate:
    """Revoke and issue a new document with the record's current facts."""
    if certificate.revoked_at is None:
        certificate_revoke(user=user, certificate=certificate, reason=reason)
    return certificate_issue(user=user, event=certificate.event, replacing=certificate)


def revoke_all(*, user: Any, event: CivilEvent, reason: str) -> int:
    live = list(event.certificates.filter(revoked_at__isnull=True))
    for certificate in live:
        certificate_revoke(user=user, certificate=certificate, reason=reason)
    return len(live)


def printed_rows(certificate: Certificate) -> list[tuple[str, str]]:
    """What the document prints, in the current language, for the verification page."""
    return [(str(LABELS[k]), _value(k, v)) for k, v in certificate.printed["rows"]]


def issued_on(certificate: Certificate) -> datetime:
    return certificate.issued_at
