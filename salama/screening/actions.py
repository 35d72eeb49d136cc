"""Writes of the screening app: one named, atomic, audited function each."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.audit.actions import audit_record
from salama.core import access as core_access
from salama.core.fields import encrypt_bytes
from salama.core.models import IdempotencyKey
from salama.core.roles import Perm
from salama.lib.ages import age_band, best_age
from salama.lib.screening import digest
from salama.lib.screening import submission as submission_format
from salama.lib.screening.engine import AnswerError, Result, evaluate
from salama.notifications.actions import notify
from salama.registry import access as registry_access
from salama.registry.access import NoLegalBasis
from salama.registry.actions import specific_needs_add
from salama.registry.models import Person, PersonRevision
from salama.screening import catalogue, field_forms
from salama.screening.codes import PROFILE_LABELS
from salama.screening.models import (
    ALERT_LEVELS,
    Alert,
    Attachment,
    DigestNonce,
    DigestNonceUse,
    FieldCredential,
    FieldLoginFailure,
    FiredIndicator,
    IndicatorCount,
    Screening,
    ScreeningCount,
    Submission,
)
from salama.screening.selectors import FIELD_LOCKOUT, routed_alert_recipients

# Screening is protection work: the person must have a legal basis for it,
# whoever screens them (PROTECTION.md 1).
PURPOSE = "protection"
DIGEST_REALM = "salama"


def _audit(user: Any, action: str, model: Any, record_id: Any, changed: Any = ()) -> None:
    """An audit entry for screening work, whose purpose is always protection."""
    audit_record(
        user=user,
        action=action,
        purpose=PURPOSE,
        model=f"screening.{model.__name__}",
        record_id=record_id,
        changed_fields=changed,
    )


def person_age(person: Person, on: date | None = None) -> int | None:
    today = on or timezone.localdate()
    return best_age(person.birth_date, person.birth_year_min, person.birth_year_max, today)


SEX_ANSWERS = {"F": "female", "M": "male", "X": "other", "U": "unknown"}


def registry_answers(person: Person) -> dict[str, Any]:
    """Answers the registry already holds (age, sex), to prefill a form."""
    age = person_age(person)
    answers: dict[str, Any] = {"sex": SEX_ANSWERS.get(person.sex, "unknown")}
    if age is not None:
        answers["age"] = age
    return answers


def default_profile(person: Person) -> str:
    age = person_age(person)
    return "child" if age is not None and age < 18 else "adult"


class ProfileMismatch(AnswerError):
    """A profile other than the one the registered age calls for, without a reason."""

    def __init__(self, age: int, expected: str) -> None:
        super().__init__(
            "profile_reason",
            _(
                "The registry gives this person's age as %(age)s, which calls for the "
                "%(expected)s profile: choose it, or say why another profile is right."
            )
            % {"age": age, "expected": str(PROFILE_LABELS[expected]).lower()},
        )


def check_profile(person: Person, profile: str, reason: str) -> None:
    """The profile follows the registered age unless a reason is given."""
    age = person_age(person)
    if age is None:
        return
    expected = default_profile(person)
    if profile != expected and not reason.strip():
        raise ProfileMismatch(age, expected)


@transaction.atomic
def screening_record(
    *,
    user: Any,
    person: Person,
    instrument_id: str,
    profile: str,
    answers: dict[str, Any],
    administered_with: str | None = None,
    source: str = Screening.Source.WEB,
    profile_reason: str = "",
) -> Screening:
    """Score a response for a person fetched through registry.access, keep it
    with its full explanation, add the specific-needs codes it found and raise
    an alert on a positive or high result. AnswerError if the answers do not
    fit the instrument or the profile does not fit the registered age and no
    reason is given (the reason is kept with the result); NoLegalBasis without
    a basis for protection."""
    basis = person.legal_bases.filter(purpose=PURPOSE).first()
    if basis is None:
        raise NoLegalBasis(PURPOSE)
    instrument = catalogue.get(instrument_id)
    check_profile(person, profile, profile_reason)
    result = evaluate(instrument, profile, answers, administered_with=administered_with)
    stored = result.to_dict()
    if profile_reason.strip():
        stored["profile_reason"] = profile_reason.strip()[:300]
    screening = Screening.objects.create(
        person=person,
        organisation=_acting_organisation(user, Perm.SCREENING_CREATE),
        site_path=person.site_path,
        instrument=instrument.id,
        instrument_version=instrument.version,
        profile=profile,
        administered_with=administered_with or "",
        answers=result.answers,
        result=stored,
        outcome=result.outcome,
        level=result.level,
        sex=person.sex,
        age_group=age_band(person_age(person)),
        legal_basis=basis.basis,
        source=source,
        screened_by=user,
    )
    FiredIndicator.objects.bulk_create(
        FiredIndicator(screening=screening, item=f.id, scope=f.scope) for f in result.fired
    )
    if person.legal_bases.filter(purpose=STATISTICS).exists():
        count_for_figures(screening, [f.id for f in result.fired if f.scope == "self"])
    changed = ["person", "answers", "result"] + (
        ["profile_reason"] if "profile_reason" in stored else []
    )
    _audit(user, "create", Screening, screening.pk, changed)
    _follow_up(user, person, screening, result, basis.basis)
    return screening


# The purpose whose legal basis lets a screening be counted in the figures.
STATISTICS = "statistics"


def count_for_figures(screening: Screening, indicators: list[str]) -> None:
    """Count a screening of a person whose legal basis allows statistics
    (PROTECTION.md 11) in the figures' tables, in the caller's transaction:
    one person screened, and one for each of their own indicators present.
    The counts keep no link to the person or the screening, so the figures
    never decrypt a record; a later withdrawal of consent cannot take back a
    count already made anonymous (docs/security.md)."""
    cell = {
        "site_path": figure_site_path(screening.site_path),
        "week": week_of(screening.screened_at),
        "sex": screening.sex,
        "age_group": screening.age_group,
        "instrument": screening.instrument,
    }
    _increment(ScreeningCount, {**cell, "level": screening.level})
    for indicator in dict.fromkeys(indicators):
        _increment(IndicatorCount, {**cell, "indicator": indicator})


def figure_site_path(site_path: str) -> str:
    """The path of the camp or settlement (the nearest site with a kind) that
    holds `site_path`: the figures count by site, not by block, and a count
    kept per block and week would single people out sooner."""
    from salama.core.models import Site

    ids = [int(i) for i in site_path.strip("/").split("/") if i.isdigit()]
    kinds = dict(Site.objects.filter(pk__in=ids).exclude(kind="").values_list("pk", "path"))
    return next((kinds[i] for i in reversed(ids) if i in kinds), site_path)


def week_of(moment: datetime) -> date:
    """The Monday of the ISO week of `moment` in the current time zone (as the
    figures counted weeks before they were counted at write time)."""
    day = timezone.localtime(moment).date()
    return day - timedelta(days=day.weekday())


def _increment(model: Any, cell: dict[str, Any]) -> None:
    """Add one to a cell, creating it at one; two screenings counted at once in
    a new cell meet on its unique constraint, and the second adds one."""
    if model.objects.filter(**cell).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            model.objects.create(**cell, count=1)
    except IntegrityError:
        model.objects.filter(**cell).update(count=F("count") + 1)


def _follow_up(user: Any, person: Person, screening: Screening, result: Result, basis: str) -> None:
    if result.specific_needs:
        specific_needs_add(
            user=user,
            person=person,
            codes=result.specific_needs,
            reason=f"from_screening.basis_{basis}",
        )
    if result.level in ALERT_LEVELS:
        alert = Alert.objects.create(
            screening=screening,
            person=person,
            organisation_id=screening.organisation_id,
            site_path=person.site_path,
            level=result.level,
            referrals=result.referrals,
        )
        _audit(user, "create", Alert, alert.pk)
        _notify_alert(user, alert)


def _notify_alert(user: Any, alert: Alert) -> None:
    """The site's caseworkers and protection officers of the screener's
    organisation are told at once (or, when a route says so, the caseworker
    and supervisor of the person's open case): the alert's reference and a
    link, no name."""
    notify(
        recipients=routed_alert_recipients(user, alert),
        kind="screening.alert",
        subject=gettext_lazy("A screening raised an alert"),
        reference=alert_reference(alert),
        link=reverse("screening_detail", args=[alert.screening_id]),
        actor=user,
    )


def alert_reference(alert: Alert) -> str:
    return f"AL-{alert.pk:06d}"


@transaction.atomic
def alert_acknowledge(*, user: Any, alert: Alert) -> None:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == Alert.Status.ACKNOWLEDGED:
        return
    alert.status = Alert.Status.ACKNOWLEDGED
    alert.acknowledged_by = user
    alert.acknowledged_at = timezone.now()
    alert.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    audit_record(
        user=user,
        action="change",
        purpose=core_access.purpose(user),
        model="screening.Alert",
        record_id=alert.pk,
        changed_fields=["status"],
    )


# --- Digest nonces (OpenRosa) -------------------------------------------------

# Expired nonces are kept this long before the scheduled prune removes them;
# after that their signed stamp alone still answers "stale".
NONCE_KEEP = timedelta(hours=1)


def digest_nonce_issue(*, key: bytes, now: datetime | None = None) -> str:
    """A new nonce for a Digest challenge, recorded so that every server
    process accepts it, once per nonce count, until it expires."""
    now = now or timezone.now()
    value = digest.make_nonce(key, now.timestamp())
    DigestNonce.objects.create(
        value=value, issued_at=now, expires_at=now + timedelta(seconds=digest.NONCE_LIFETIME)
    )
    return value


def digest_nonce_use(*, value: str, count: int, key: bytes, now: datetime | None = None) -> str:
    """Record one use of a nonce with its nonce count (nc). 'fresh' the first
    time; 'stale' once the nonce expired; 'invalid' for a nonce this server
    never issued; 'replayed' for a (nonce, nc) pair already used, which is a
    captured Authorization header sent again."""
    now = now or timezone.now()
    state = digest.nonce_state(value, key, now.timestamp())
    if state != "fresh":
        return state
    nonce = DigestNonce.objects.filter(value=value).first()
    if nonce is None:
        return "invalid"
    if nonce.expires_at <= now:
        return "stale"
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction goes on
            DigestNonceUse.objects.create(nonce=nonce, count=count)
    except IntegrityError:
        return "replayed"
    return "fresh"


def digest_nonces_prune(*, now: datetime | None = None) -> int:
    """Delete the nonces that expired more than NONCE_KEEP ago, with their uses."""
    cutoff = (now or timezone.now()) - NONCE_KEEP
    deleted, _by_model = DigestNonce.objects.filter(expires_at__lt=cutoff).delete()
    return deleted


# --- field submissions (OpenRosa) ---------------------------------------------


@dataclass
class Received:
    status: int  # HTTP status for the client: 201 new, 202 already had it
    message: str
    submission: Submission | None  # None: another app's form, taken by that app


class SubmissionRefused(Exception):
    """A submission that is stored nowhere; status and a message a field worker can read."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@transaction.atomic
def submission_receive(
    *, user: Any, xml: bytes | str, attachments: list[tuple[str, str, bytes]]
) -> Received:
    """Store one submission with its attachments, all or nothing; score it
    when it names a registered person the user may screen, else queue it
    for review. A repeat with identical XML is accepted once (attachments
    merged); a repeat with different XML is refused."""
    try:
        parsed = submission_format.parse(xml)
    except submission_format.SubmissionError as exc:
        raise SubmissionRefused(400, str(exc)) from None
    other = field_forms.external(parsed.form_id)
    if other is not None:
        offered = field_forms.offered(user)[parsed.form_id]
        if parsed.version != offered.version:
            raise SubmissionRefused(
                400,
                _(
                    "This is an older version of the form; download the current one and "
                    "fill it again."
                ),
            )
        return other.receive(user=user, parsed=parsed, attachments=attachments)  # type: ignore[no-any-return]
    form = field_forms.field_forms().get(parsed.form_id)
    if form is None:
        raise SubmissionRefused(404, _("This form is not on the server; refresh the form list."))
    if parsed.version != form.version:
        raise SubmissionRefused(
            400,
            _("This is an older version of the form; download the current one and fill it again."),
        )
    digest = hashlib.sha256(xml if isinstance(xml, bytes) else xml.encode("utf-8")).hexdigest()
    organisation = _acting_organisation(user, Perm.FIELD_SUBMIT)
    # A repeat is recognised among this user's own submissions for this
    # organisation only: another user's device with the same instance ID makes
    # a separate submission, and no answer tells them the first exists.
    existing = (
        Submission.objects.select_for_update()
        .filter(instance_id=parsed.instance_id, submitted_by=user, organisation=organisation)
        .first()
    )
    if existing is not None:
        if existing.xml_sha256 != digest:
            raise SubmissionRefused(
                409, _("A different submission with this instance ID was already received.")
            )
        added = _attach(existing, attachments)
        if added:
            _audit(
                user, "change", Submission, existing.pk, [f"attachment:{name}" for name in added]
            )
        return Received(202, _("Already received; attachments merged."), existing)
    submission = Submission.objects.create(
        instance_id=parsed.instance_id,
        organisation=organisation,
        form_id=form.form_id,
        form_version=form.version,
        xml=parsed.text,
        xml_sha256=digest,
        site_path=_home_site(user),
        registry_id=parsed.fields.get("registry_id", "")[:40],
        status=Submission.Status.REVIEW,
        submitted_by=user,
    )
    _attach(submission, attachments)
    _audit(user, "create", Submission, submission.pk)
    if form.instrument is None:
        submission.status = Submission.Status.STORED
        submission.problem = "case intake"
        submission.save(update_fields=["status", "problem"])
        return Received(201, _("Case intake received."), submission)
    _score_submission(user, submission, form.instrument.id, parsed.fields)
    message = (
        _("Received and scored.")
        if submission.status == Submission.Status.SCORED
        else _("Received; it waits for review: %(problem)s") % {"problem": submission.problem}
    )
    return Received(201, message, submission)


def _acting_organisation(user: Any, perm: Perm) -> Any:
    """The organisation that will own the record: the user's, for `perm`."""
    organisation = core_access.organisation_for(user, perm)
    if organisation is None:
        raise PermissionDenied(_("You are not a member of an organisation that may do this."))
    return organisation


def _home_site(user: Any) -> str:
    paths = core_access.site_paths(user, Perm.FIELD_SUBMIT)
    return paths[0] if paths else ""


def _attach(submission: Submission, attachments: list[tuple[str, str, bytes]]) -> list[str]:
    """Store the attachments not yet held; returns their names."""
    have = {a.name: a.sha256 for a in submission.attachments.all()}
    added = []
    for name, content_type, data in attachments:
        digest = hashlib.sha256(data).hexdigest()
        if name in have:
            if have[name] != digest:
                raise SubmissionRefused(
                    409,
                    _("Attachment %(name)s differs from the one already received.")
                    % {"name": name},
                )
            continue
        Attachment.objects.create(
            submission=submission,
            name=name,
            content_type=content_type[:100],
            size=len(data),
            sha256=digest,
            data=encrypt_bytes(data),
        )
        added.append(name)
    return added


def _score_submission(
    user: Any, submission: Submission, instrument_id: str, fields: dict[str, str]
) -> None:
    """Attach to the person and score; anything that stops it leaves the
    submission in the review queue with the reason."""
    person = (
        registry_access.find_person_by_number(user, submission.registry_id, Perm.SCREENING_CREATE)
        if submission.registry_id
        else None
    )
    if person is None:
        submission.problem = _("no registered person with number %(n)s in your sites") % {
            "n": submission.registry_id or "—"
        }
        submission.save(update_fields=["problem"])
        return
    submission_score(user=user, submission=submission, person=person, fields=fields)


@transaction.atomic
def submission_score(
    *, user: Any, submission: Submission, person: Person, fields: dict[str, str] | None = None
) -> Screening | None:
    """Score a stored submission for a person (on receipt, or from the review
    queue); on failure the submission stays queued with the reason."""
    instrument = catalogue.get(submission.form_id)
    if fields is None:
        fields = submission_format.parse(submission.xml).fields
    known = {i.id for i in instrument.items()}
    answers = {k: v for k, v in fields.items() if k in known and v != ""}
    profile = fields.get("profile") or instrument.profiles[0]
    try:
        with transaction.atomic():
            screening = screening_record(
                user=user,
                person=person,
                instrument_id=instrument.id,
                profile=profile,
                answers=answers,
                administered_with=fields.get("administered_with") or None,
                source=Screening.Source.FIELD,
                profile_reason=fields.get("profile_reason", ""),
            )
    except (AnswerError, NoLegalBasis) as exc:
        submission.person = person
        submission.problem = str(exc)[:300]
        submission.save(update_fields=["person", "problem"])
        return None
    submission.person = person
    submission.screening = screening
    submission.status = Submission.Status.SCORED
    submission.problem = ""
    submission.save(update_fields=["person", "screening", "status", "problem"])
    _audit(user, "change", Submission, submission.pk, ["person", "screening", "status"])
    return screening


@transaction.atomic
def field_login_failed(*, username: str, now: datetime | None = None) -> None:
    """Count one failed Digest sign-in of USERNAME (for the lockout), forgetting
    failures older than the lockout window."""
    now = now or timezone.now()
    with transaction.atomic():
        FieldLoginFailure.objects.filter(failed_at__lt=now - FIELD_LOCKOUT).delete()
        FieldLoginFailure.objects.create(username=username, failed_at=now)


def field_login_succeeded(*, username: str) -> None:
    """A correct Digest sign-in clears the user name's failures, as the login page does."""
    FieldLoginFailure.objects.filter(username=username).delete()


def field_credential_set(*, user: Any, password: str) -> None:
    """Set the password field devices use (HTTP Digest) for this user."""
    FieldCredential.objects.update_or_create(
        user=user, defaults={"ha1": digest.ha1(user.get_username(), DIGEST_REALM, password)}
    )
    audit_record(
        user=user,
        action="change",
        purpose="registration",
        model="screening.FieldCredential",
        record_id=user.pk,
    )


@transaction.atomic
def submission_attach(*, user: Any, submission: Submission, person: Person) -> None:
    """From the review queue: a screening form is scored for the person; a
    case-intake form is linked to them."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.form_id in catalogue.instruments():
        submission_score(user=user, submission=submission, person=person)
        return
    submission.person = person
    submission.problem = ""
    submission.save(update_fields=["person", "problem"])
    _audit(user, "change", Submission, submission.pk, ["person"])


def field_keys_rotate(*, progress: Any = None, batch: int = 500, user: Any = None) -> int:
    """Re-encrypt every encrypted value under the newest key in
    SALAMA_FIELD_KEYS (the others still decrypt until this has run); each
    batch is one transaction, so a run stopped half-way leaves every row
    readable and a second run finishes it. progress(done, total) after each
    batch. Returns the number of rows rewritten. Run as the job
    salama.screening.jobs.field_keys_rotate."""
    from salama.core.fields import cipher

    total = encrypted_row_count()
    rewritten = 0
    work: list[tuple[Any, list[str]]] = [
        (Screening, ["answers", "result", "outcome", "level"]),
        (FiredIndicator, ["item", "scope"]),
        (Alert, ["level", "referrals"]),
        (Person, ["specific_needs"]),
        (PersonRevision, ["before"]),
        (Submission, ["xml"]),
        (FieldCredential, ["ha1"]),
        # First answers kept for API retries hold personal data too (core.idempotency).
        (IdempotencyKey, ["body"]),
    ]
    for model, fields in work:
        ids = list(model.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), batch):
            with transaction.atomic():
                rows = model.objects.select_for_update().filter(pk__in=ids[start : start + batch])
                for row in rows:
                    row.save(update_fields=fields)  # saving encrypts under the newest key
                    rewritten += 1
            if progress:
                progress(rewritten, total)
    ids = list(Attachment.objects.values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            for attachment in Attachment.objects.select_for_update().filter(
                pk__in=ids[start : start + batch]
            ):
                attachment.data = cipher().rotate(bytes(attachment.data))
                attachment.save(update_fields=["data"])
                rewritten += 1
        if progress:
            progress(rewritten, total)
    audit_record(
        user=user, action="rotate_keys", purpose="security", model="*", record_id="field_keys"
    )
    return rewritten


def encrypted_row_count() -> int:
    models = (
        Screening,
        FiredIndicator,
        Alert,
        Person,
        PersonRevision,
        Submission,
        FieldCredential,
        Attachment,
        IdempotencyKey,
    )
    return sum(m.objects.count() for m in models)
