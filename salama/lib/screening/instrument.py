"""Instruments are data: YAML files checked against this schema on load.

An instrument has sections of items (the questions, in English, Arabic and
French), dimensions that tally fired items by strength, rules that combine
dimensions, and outcomes (the first whose condition holds wins) carrying
flags, UNHCR specific-needs codes and suggested referral types. Every
expression is parsed on load and may name only what exists at its place.
"""

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from salama.lib.screening import expr

Profile = Literal["adult", "child"]
Strength = Literal["strong", "medium", "weak"]
Level = Literal["positive", "high", "medium", "low", "negative"]
AnswerType = Literal["yes_no", "select_one", "integer", "text"]
IDENTIFIER = r"^[a-z][a-z0-9_]*$"
# Names every rule and outcome may read, besides dimensions, rules and items.
GLOBAL_NAMES = {"profile", "yes", "family_yes", "score"}
# Names a dimension's rule may read: its own tallies.
TALLY_NAMES = {"strong", "medium", "weak", "yes", "score"}


# The referral types an instrument may suggest (referral itself is a later issue).
REFERRAL_TYPES = {
    "case_management",
    "child_protection",
    "counter_trafficking",
    "education",
    "family_tracing",
    "gbv_services",
    "legal_aid",
    "livelihoods",
    "medical",
    "mhpss",
    "safe_shelter",
}


class InstrumentError(ValueError):
    pass


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    en: str = Field(min_length=1)
    ar: str = Field(min_length=1)
    fr: str = Field(min_length=1)

    def get(self, language: str) -> str:
        return getattr(self, language[:2], None) or self.en


class Choice(_Strict):
    value: str = Field(pattern=IDENTIFIER)
    label: Text
    fires: bool = False  # choosing it counts like a "yes"


class Item(_Strict):
    id: str = Field(pattern=IDENTIFIER)
    type: AnswerType = "yes_no"
    # The short name of an indicator (results, figures); the label is the question asked.
    name: Text | None = None
    label: Text
    hint: Text | None = None
    choices: tuple[Choice, ...] = ()
    required: bool = False
    relevant: str | None = None
    profiles: tuple[Profile, ...] | None = None  # None: every profile
    strength: dict[str, Strength] = {}  # per profile
    weight: float = 1.0
    # False for context questions (age, who travelled, the act of moving a
    # child): they steer relevance and rules but are not counted as yes.
    indicator: bool = True
    scope: Literal["self", "family"] = "self"
    specific_needs: tuple[str, ...] = ()  # added to the person when it fires
    referrals: tuple[str, ...] = ()
    maps_to: dict[str, str | list[str]] = {}

    @model_validator(mode="after")
    def _choices(self) -> "Item":
        if (self.type == "select_one") != bool(self.choices):
            raise ValueError(f"item {self.id}: choices go with select_one, and only there")
        if set(self.strength) - {"adult", "child"}:
            raise ValueError(f"item {self.id}: strength is given per profile (adult, child)")
        return self

    def for_profile(self, profile: str) -> bool:
        return self.profiles is None or profile in self.profiles

    def title(self, language: str) -> str:
        """What results call this item: its name if it has one, else its question."""
        return (self.name or self.label).get(language)


class Section(_Strict):
    id: str = Field(pattern=IDENTIFIER)
    title: Text
    relevant: str | None = None
    profiles: tuple[Profile, ...] | None = None
    items: tuple[Item, ...]


class Dimension(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    label: Text
    items: tuple[str, ...]
    rule: str


class Rule(_Strict):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    label: Text
    expression: str
    profiles: tuple[Profile, ...] | None = None


class Outcome(_Strict):
    id: str = Field(pattern=IDENTIFIER)
    label: Text
    level: Level
    when: str
    explanation: Text
    profiles: tuple[Profile, ...] | None = None
    flags: tuple[str, ...] = ()
    specific_needs: tuple[str, ...] = ()
    referrals: tuple[str, ...] = ()


class Instrument(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: str
    title: Text
    publisher: Text
    source: str
    source_url: str = ""
    licence: str
    validation_status: Text
    validated_in: str
    disclaimer: Text
    notes: tuple[str, ...] = ()
    profiles: tuple[Profile, ...]
    child_administration: Text | None = None
    sections: tuple[Section, ...]
    dimensions: tuple[Dimension, ...] = ()
    rules: tuple[Rule, ...] = ()
    outcomes: tuple[Outcome, ...]

    @model_validator(mode="after")
    def _consistent(self) -> "Instrument":
        _check(self)
        return self

    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    def asked_in(self, item_id: str, profile: str) -> bool:
        """Whether an item belongs to a profile, by its own and its section's profiles."""
        for section in self.sections:
            for item in section.items:
                if item.id == item_id:
                    in_section = section.profiles is None or profile in section.profiles
                    return in_section and item.for_profile(profile)
        raise KeyError(item_id)

    def item(self, item_id: str) -> Item:
        for item in self.items():
            if item.id == item_id:
                return item
        raise KeyError(item_id)


def _check(instrument: "Instrument") -> None:
    items = {i.id: i for i in instrument.items()}
    ids = [*items, *(s.id for s in instrument.sections)]
    ids += [d.id for d in instrument.dimensions] + [r.id for r in instrument.rules]
    repeated = {i for i in ids if ids.count(i) > 1}
    if repeated or len(items) != len(instrument.items()):
        raise ValueError(f"ids used twice: {sorted(repeated) or 'items'}")
    for dimension in instrument.dimensions:
        unknown = set(dimension.items) - set(items)
        if unknown:
            raise ValueError(f"dimension {dimension.id} names unknown items {sorted(unknown)}")
        _names_within(dimension.rule, TALLY_NAMES, f"dimension {dimension.id}")
    known = GLOBAL_NAMES | set(items) | {d.id for d in instrument.dimensions}
    for rule in instrument.rules:
        _names_within(rule.expression, known, f"rule {rule.id}")
        known.add(rule.id)
    for outcome in instrument.outcomes:
        _names_within(outcome.when, known, f"outcome {outcome.id}")
    places: list[Section | Item] = [*instrument.sections, *items.values()]
    for place in places:
        if place.relevant:
            _names_within(place.relevant, {"profile", *items}, f"relevance of {place.id}")
    suggested = {r for i in items.values() for r in i.referrals}
    suggested |= {r for o in instrument.outcomes for r in o.referrals}
    if suggested - REFERRAL_TYPES:
        raise ValueError(f"unknown referral types {sorted(suggested - REFERRAL_TYPES)}")
    for profile in instrument.profiles:
        last = [o for o in instrument.outcomes if o.profiles is None or profile in o.profiles]
        if not last or last[-1].when.strip() != "True":
            raise ValueError(f"profile {profile}: the last outcome must be `when: 'True'`")


def _names_within(text: str, allowed: set[str], where: str) -> None:
    try:
        unknown = expr.names(text) - allowed - {"True", "False"}
    except expr.ExpressionError as exc:
        raise ValueError(f"{where}: {exc}") from None
    if unknown:
        raise ValueError(f"{where}: unknown names {sorted(unknown)}")


def load(path: Path) -> Instrument:
    """One instrument file, checked; InstrumentError names the file and problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Instrument.model_validate(data)
    except (OSError, yaml.YAMLError) as exc:
        raise InstrumentError(f"{path.name}: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'instrument'}: {e['msg']}"
            for e in exc.errors()
        )
        raise InstrumentError(f"{path.name}: {problems}") from None


def load_all(directory: Path) -> dict[str, Instrument]:
    found = {}
    for path in sorted(directory.glob("*.yaml")):
        instrument = load(path)
        if instrument.id in found:
            raise InstrumentError(f"{path.name}: instrument id {instrument.id} used twice")
        found[instrument.id] = instrument
    return found
