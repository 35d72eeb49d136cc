"""The screening web form: one section per page. Answers of earlier sections
travel with the form, signed, so that nothing is stored until the last page
is submitted (a half-finished screening leaves no trace)."""

import ast
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _

from salama.lib.screening import expr
from salama.lib.screening.engine import YES_NO, AnswerError, normalise
from salama.lib.screening.instrument import Instrument, Item, Section

SALT = "salama.screening.draft"
MAX_AGE = 4 * 3600  # a draft older than four hours must be started again


@dataclass
class Draft:
    instrument: str
    person: str
    profile: str
    administered_with: str
    answers: dict[str, Any]
    step: int = 0
    profile_reason: str = ""

    def sign(self) -> str:
        return signing.dumps(self.__dict__, salt=SALT, compress=True)

    @classmethod
    def load(cls, token: str) -> "Draft":
        """BadSignature (or SignatureExpired) for anything not signed by us."""
        return cls(**signing.loads(token, salt=SALT, max_age=MAX_AGE))


def sections_for(instrument: Instrument, profile: str, answers: dict[str, Any]) -> list[Section]:
    """The sections asked of this profile, given the answers so far."""
    values = {"profile": profile, **{i.id: answers.get(i.id) for i in instrument.items()}}
    out = []
    for section in instrument.sections:
        if section.profiles and profile not in section.profiles:
            continue
        known = expr.names(section.relevant) - {"profile"} if section.relevant else set()
        if (
            section.relevant
            and known <= set(answers)
            and not expr.evaluate(section.relevant, values)
        ):
            continue
        out.append(section)
    return out


def items_shown(section: Section, profile: str, answers: dict[str, Any]) -> list[Item]:
    """Items of a section to show: those whose condition depends on an answer
    on this same page are shown (the engine ignores them if not relevant)."""
    own = {i.id for i in section.items}
    shown = []
    for item in section.items:
        if not item.for_profile(profile):
            continue
        if item.relevant:
            read = expr.names(item.relevant) - {"profile"}
            values = {"profile": profile, **{n: answers.get(n) for n in read}}
            if not (read & own) and not expr.evaluate(item.relevant, values):
                continue
        shown.append(item)
    return shown


def same_page_condition(item: Item, section: Section) -> dict[str, str] | None:
    """For an item shown only when another answer on the same page says so,
    the condition in a form the page's script can check without a server
    round trip (`name == 'v'` or `name != 'v'`); None otherwise."""
    if not item.relevant:
        return None
    tree = expr.parse(item.relevant)
    own = {i.id for i in section.items}
    match tree:
        case ast.Compare(
            left=ast.Name(id=name),
            ops=[ast.Eq() | ast.NotEq() as op],
            comparators=[ast.Constant(value=str() as value)],
        ) if name in own:
            return {"name": name, "op": "eq" if isinstance(op, ast.Eq) else "ne", "value": value}
    return None


def read_section(
    instrument: Instrument, profile: str, items: list[Item], data: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    """Answers posted for one page, and errors by item id."""
    raw = {i.id: data.get(f"q_{i.id}", "").strip() for i in items}
    errors = {i.id: "required" for i in items if i.required and not raw[i.id]}
    answers: dict[str, Any] = {}
    for item_id, value in raw.items():
        if item_id in errors or not value:
            continue
        try:
            answers.update(normalise(instrument, profile, {item_id: value}))
        except AnswerError as exc:
            errors[item_id] = str(exc).split(": ", 1)[-1]
    return answers, errors


def choices_of(item: Item, language: str) -> list[tuple[str, str]]:
    if item.type == "select_one":
        return [(c.value, c.label.get(language)) for c in item.choices]
    if item.type == "yes_no":
        labels = (_("Yes"), _("No"), _("Does not know"), _("Prefers not to say"))
        return list(zip(YES_NO, labels, strict=True))
    return []
