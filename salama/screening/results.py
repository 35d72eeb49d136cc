"""A stored result told in the reader's language: names and sentences from the
instrument (outcome, explanation, items, dimensions, rules) instead of the
identifiers and expressions the engine works with. The stored result keeps
the ids, so a result reads in Arabic or French whatever language it was
scored in."""

from typing import Any

from django.utils.translation import gettext as _

from salama.lib.screening.instrument import Instrument
from salama.screening import catalogue
from salama.screening.codes import PROFILE_LABELS, answer_label


def _strength(tier: str | None) -> str:
    words = {"strong": _("strong"), "medium": _("medium"), "weak": _("weak")}
    return words.get(tier or "", "")


def _counter_name(name: str) -> str | None:
    return {
        "yes": _("Number of indicators answered yes"),
        "family_yes": _("Number of family members' indicators answered yes"),
        "score": _("Weighted sum of the indicators answered yes"),
        "profile": _("Profile"),
    }.get(name)


def _bool_word(value: bool, positive: str, negative: str) -> str:
    return positive if value else negative


class Teller:
    """Names for one instrument in one language."""

    def __init__(self, instrument: Instrument, language: str, profile: str = "") -> None:
        self.instrument = instrument
        self.language = language
        self.profile = profile
        self.items = {i.id: i for i in instrument.items()}
        self.dimensions = {d.id: d for d in instrument.dimensions}
        self.rules = {r.id: r for r in instrument.rules}
        self.outcomes = {o.id: o for o in instrument.outcomes}

    def item(self, item_id: str) -> str:
        item = self.items.get(item_id)
        return item.title(self.language) if item else item_id

    def answer(self, item_id: str, value: Any) -> str:
        if value is None:
            if self.profile and not self.instrument.asked_in(item_id, self.profile):
                return _("not asked of this profile")
            return _("not answered")
        item = self.items[item_id]
        if item.type == "select_one":
            chosen = [c.label.get(self.language) for c in item.choices if c.value == value]
            return chosen[0] if chosen else str(value)
        return answer_label(value) if item.type == "yes_no" else str(value)

    def input(self, name: str, value: Any) -> tuple[str, str]:
        """One value a rule read, as (what it is, what it was)."""
        if name in self.items:
            return self.item(name), self.answer(name, value)
        if name in self.dimensions:
            label = f"{name}. {self.dimensions[name].label.get(self.language)}"
            return label, _bool_word(bool(value), _("positive"), _("not positive"))
        if name in self.rules:
            label = self.rules[name].label.get(self.language)
            return label, _bool_word(bool(value), _("met"), _("not met"))
        if name == "profile":
            return _("Profile"), str(PROFILE_LABELS.get(value, value))
        counter = _counter_name(name)
        return counter or name, _("yes") if value is True else _("no") if value is False else (
            f"{value:g}" if isinstance(value, float) else str(value)
        )

    def step(self, step: dict[str, Any]) -> dict[str, Any]:
        if step["kind"] == "rule" and step["id"] in self.rules:
            label = self.rules[step["id"]].label.get(self.language)
            verdict = _bool_word(step["value"], _("met"), _("not met"))
        elif step["id"] in self.outcomes:
            outcome = self.outcomes[step["id"]].label.get(self.language)
            label = _("Outcome “%(outcome)s”") % {"outcome": outcome}
            verdict = _bool_word(step["value"], _("applies"), _("does not apply"))
        else:
            label, verdict = step["id"], str(step["value"])
        return {
            "label": label,
            "verdict": verdict,
            "value": step["value"],
            "expression": step["expression"],
            "inputs": [self.input(k, v) for k, v in step["inputs"].items()],
        }


def told(result: dict[str, Any], language: str) -> dict[str, Any]:
    """What the result page shows, in the reader's language."""
    instrument = catalogue.instruments().get(result["instrument"])
    if instrument is None:  # an instrument no longer shipped: what was stored
        return {**result, "steps": [], "missing_items": [], "dropped_items": []}
    teller = Teller(instrument, language, result.get("profile", ""))
    outcome = teller.outcomes.get(result["outcome"])
    dimension_of = {i: d.id for d in instrument.dimensions for i in d.items}
    dropped = result.get("dropped", [])
    return {
        "title": instrument.title.get(language),
        "outcome_label": outcome.label.get(language) if outcome else result["outcome_label"],
        "explanation": outcome.explanation.get(language) if outcome else result["explanation"],
        "disclaimer": instrument.disclaimer.get(language),
        "fired": [
            {
                "label": teller.item(f["id"]),
                "dimension": dimension_of.get(f["id"], ""),
                "strength": _strength(f.get("strength")),
                "family": f.get("scope") == "family",
            }
            for f in result["fired"]
        ],
        "dimensions": [
            {
                "id": d["id"],
                "label": teller.dimensions[d["id"]].label.get(language)
                if d["id"] in teller.dimensions
                else d["label"],
                "strong": d["strong"],
                "medium": d["medium"],
                "weak": d["weak"],
                "positive": d["positive"],
            }
            for d in result["dimensions"]
        ],
        "steps": [teller.step(s) for s in result["path"]],
        "yes": result["yes"],
        "family_yes": result["family_yes"],
        "missing_items": [teller.item(i) for i in result.get("missing", [])],
        "dropped_items": [teller.item(i) for i in dropped],
        "family_dropped": any(
            teller.items[i].scope == "family" for i in dropped if i in teller.items
        ),
    }
