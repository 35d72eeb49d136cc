"""Reads of the civil registration desk (records only through access.py)."""

from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.civil import access, rules
from salama.civil.models import Attachment, Certificate, CivilEvent, Flag, Status
from salama.core import access as core_access
from salama.core.models import Site
from salama.core.roles import Perm
from salama.lib.civil import marriage


def filtered_events(user: Any, *, q: str, event_type: str, status: str) -> QuerySet[CivilEvent]:
    events = access.events_for(user)
    number = q.strip().upper()
    if number:
        return events.filter(Q(reference=number) | Q(number=number))
    if event_type:
        events = events.filter(event_type=event_type)
    if status == "flagged":
        events = events.exclude(flags=[])
    elif status:
        events = events.filter(status=status)
    return events


@cache
def host_law() -> marriage.MarriageLaw | None:
    """The host country's marriage law from the rule table, shown as context."""
    code = settings.SALAMA_CIVIL_JURISDICTION
    if not code:
        return None
    _policy, laws = marriage.load_laws()
    return next((law for law in laws if law.jurisdiction == code), None)


def refusal_sentences(refusals: list[marriage.Refusal]) -> list[str]:
    """Why the marriage is refused, in plain words, one sentence per party."""
    sentences = []
    who = {"1": _("The first spouse"), "2": _("The second spouse")}
    for refusal in refusals:
        params = {**marriage.explain(refusal), "who": who.get(refusal.role, refusal.role)}
        if refusal.code == "under_minimum" and refusal.youngest != refusal.oldest:
            text = _(
                "%(who)s is between %(youngest)s and %(oldest)s years old on the day of the "
                "marriage by the registry's estimate, under the minimum age of %(minimum)s."
            )
        elif refusal.code == "under_minimum":
            text = _(
                "%(who)s is %(youngest)s years old on the day of the marriage, under the "
                "minimum age of %(minimum)s."
            )
        elif refusal.code == "could_be_under_minimum":
            text = _(
                "%(who)s has no exact date of birth in the registry: they could be as young "
                "as %(youngest)s, under the minimum age of %(minimum)s."
            )
        else:
            text = _(
                "%(who)s has no known age, so could be a child: the registry needs their "
                "date of birth or age first."
            )
        sentences.append(text % params)
    sentences.append(
        _(
            "Salama registers no marriage in which either party could be under %(minimum)s, "
            "with or without consent or a court's permission."
        )
        % {"minimum": settings.SALAMA_MARRIAGE_MINIMUM_AGE}
    )
    law = host_law()
    if law is not None:
        sentences.append(
            _("The host country's law (%(name)s) is shown for information: %(conditions)s")
            % {"name": law.name, "conditions": law.conditions}
        )
    return sentences


def flag_sentence(code: str, params: dict[str, Any]) -> str:
    """One review flag in plain words (the parameters the rule gave)."""
    texts = {
        "large_age_gap": _("The spouses' ages differ by about %(gap)s years."),
        "already_married": _(
            "A spouse is already married (%(count)s registered marriage not ended)."
        ),
        "soon_after_arrival": _("A spouse arrived at the site %(days)s days before the marriage."),
        "repeated_short_marriages": _(
            "The woman had %(count)s short marriages in the last years: a pattern of "
            "temporary marriage to look at."
        ),
        "open_missing_report": _("A party is known to another desk: its staff were told."),
        "screening_flag": _("A party is known to another desk: its staff were told."),
        "taken_abroad": _("A foreign spouse will take the bride abroad after the marriage."),
    }
    text = texts.get(code, code)
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return text.split("(")[0].strip()


def event_page(event: CivilEvent, *, can_register: bool, error: str = "") -> dict[str, Any]:
    parties = list(event.parties.select_related("person"))
    documents = list(event.certificates.all())
    return {
        "event": event,
        "parties": parties,
        "details": _details(event),
        "journal": list(event.actions.select_related("user")),
        "attachments": list(event.attachments.all()),
        "attachment_kinds": Attachment.Kind.choices,
        "documents": documents,
        "flags": [(f, Flag(f).label) for f in event.flags if f in Flag.values],
        "review": [
            {
                **f,
                "sentence": flag_sentence(f["code"], f.get("params") or {}),
                "outcome_text": OUTCOME_WORDS.get(f.get("outcome") or "", ""),
            }
            for f in event.review_flags
        ],
        "outcomes": rules.FLAG_OUTCOMES,
        "can_register": can_register and event.status != Status.ARCHIVED,
        "humanitarian": settings.SALAMA_CIVIL_REGISTRAR == "humanitarian",
        "authority": settings.SALAMA_CIVIL_AUTHORITY,
        "may_issue": event.status in {Status.REGISTERED, Status.NOTIFIED},
        "live_documents": [d for d in documents if d.revoked_at is None],
        "error": error,
        "field_labels": {
            "event_date": _("Date of the event"),
            "place": _("Place"),
            "officiant_name": _("Officiant's name"),
            **{f"details.{k}": str(v[0]) for k, v in _labels().items()},
        },
        "duplicate_of": _duplicate_of(event),
    }


def _duplicate_of(event: CivilEvent) -> str:
    """The record a potential duplicate looks like (the flag's journal note)."""
    if Flag.DUPLICATE not in event.flags:
        return ""
    raised = event.actions.filter(kind="flagged").order_by("-at")
    for action in raised:
        if action.changes.get("flag") == Flag.DUPLICATE:
            return str(action.note)
    return ""


def _labels() -> dict[str, tuple[Any, dict[str, Any]]]:
    """Each detail's label and the words for its coded values, from the forms."""
    from salama.civil import forms

    found: dict[str, tuple[Any, dict[str, Any]]] = {}
    for form in forms.FORMS.values():
        for name, field in form.base_fields.items():
            choices = dict(getattr(field, "choices", []) or [])
            found.setdefault(name, (field.label, choices))
    return found


OUTCOME_WORDS = {
    "no_concern": gettext_lazy("no concern"),
    "referred": gettext_lazy("protection staff told"),
    "told_owner": gettext_lazy("the record's owners were told"),
}


def _details(event: CivilEvent) -> list[tuple[str, str]]:
    labels = _labels()
    shown = []
    for key, value in event.details.items():
        if key == "causes":
            for i, line in enumerate(value):
                letter = line.get("line") or "abcd"[i]
                interval = f" · {line['interval']}" if line.get("interval") else ""
                icd = f" · ICD {line['icd']}" if line.get("icd") else ""
                label = labels.get(f"cause_{letter}", (f"({letter})", {}))[0]
                shown.append((str(label), f"{line['cause']}{interval}{icd}"))
            continue
        label, words = labels.get(key, (key.replace("_", " "), {}))
        if isinstance(value, bool):
            text = str(_("yes") if value else _("no"))
        else:
            text = str(words.get(value, value))
        shown.append((str(label), text))
    return shown


def blocks_for(user: Any) -> list[Site]:
    """The blocks where the user registers civil events (for a minimal add)."""
    paths = core_access.site_paths(user, Perm.CIVIL_REGISTER)
    blocks = Site.objects.filter(level=Site.Level.BLOCK).order_by("code")
    return [b for b in blocks if any(b.path.startswith(p) for p in paths)]


def live_certificate(event: CivilEvent) -> Certificate | None:
    return event.certificates.filter(revoked_at__isnull=True).first()
