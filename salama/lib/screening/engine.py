"""Scoring one response against one instrument, with the path that led to the
outcome: every fired item, every dimension's tallies and result, every rule's
value with the inputs it read, and the outcomes tried in order. The same
function scores the web form, field submissions and the command line."""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from salama.lib.screening import expr
from salama.lib.screening.instrument import Instrument, Item

YES_NO = ("yes", "no", "dont_know", "refused")
# Who may be present when a child is screened (A/73/171 para 48: children
# are screened with a caregiver or by a trained caseworker, never alone).
CHILD_ADMINISTRATION = ("caregiver", "caseworker")


class AnswerError(ValueError):
    """A response that cannot be scored; names the item and the problem."""

    def __init__(self, item: str, message: str) -> None:
        super().__init__(f"{item}: {message}")
        self.item = item


@dataclass
class FiredItem:
    id: str
    label: str
    dimension: str | None
    strength: str | None
    scope: str


@dataclass
class DimensionResult:
    id: str
    label: str
    positive: bool
    strong: int
    medium: int
    weak: int
    fired: list[str]
    rule: str


@dataclass
class Step:
    kind: str  # rule | outcome
    id: str
    expression: str
    value: bool
    inputs: dict[str, Any]


@dataclass
class Result:
    instrument: str
    version: str
    profile: str
    outcome: str
    outcome_label: str
    level: str
    explanation: str
    fired: list[FiredItem]
    dimensions: list[DimensionResult]
    rules: dict[str, bool]
    path: list[Step]
    flags: list[str]
    specific_needs: list[str]
    referrals: list[str]
    yes: int
    family_yes: int
    score: float
    disclaimer: str
    answers: dict[str, Any] = field(default_factory=dict)
    administered_with: str | None = None
    # Required questions left unanswered: the result cannot rule anything out.
    missing: list[str] = field(default_factory=list)
    # Answers given to questions that did not apply (a family member's
    # experience when no family travelled): kept, but not counted.
    dropped: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "complete": self.complete}


def normalise(instrument: Instrument, profile: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers checked and in canonical form; AnswerError names the first bad one."""
    if profile not in instrument.profiles:
        raise AnswerError("profile", f"must be one of {', '.join(instrument.profiles)}")
    out: dict[str, Any] = {}
    for item_id, value in answers.items():
        try:
            item = instrument.item(item_id)
        except KeyError:
            raise AnswerError(item_id, f"no such item in {instrument.id}") from None
        if not instrument.asked_in(item_id, profile):
            raise AnswerError(item_id, f"not asked in the {profile} profile")
        if value is None or value == "":
            continue
        out[item_id] = _value(item, value)
    return out


def _value(item: Item, value: Any) -> Any:
    if item.type == "yes_no":
        if isinstance(value, bool):
            return "yes" if value else "no"
        if value in YES_NO:
            return value
        raise AnswerError(item.id, f"expected one of {', '.join(YES_NO)} or true/false")
    if item.type == "select_one":
        allowed = [c.value for c in item.choices]
        if value in allowed:
            return value
        raise AnswerError(item.id, f"expected one of {', '.join(allowed)}")
    if item.type == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        raise AnswerError(item.id, "expected a whole number")
    if isinstance(value, str):
        return value
    raise AnswerError(item.id, "expected text")


def relevant_items(instrument: Instrument, profile: str, answers: Mapping[str, Any]) -> list[Item]:
    """The items asked of this profile given the answers so far."""
    values = {"profile": profile, **{i.id: answers.get(i.id) for i in instrument.items()}}
    out = []
    for section in instrument.sections:
        if section.profiles and profile not in section.profiles:
            continue
        if section.relevant and not expr.evaluate(section.relevant, values):
            continue
        for item in section.items:
            if item.for_profile(profile) and (
                not item.relevant or expr.evaluate(item.relevant, values)
            ):
                out.append(item)
    return out


def _fires(item: Item, value: Any) -> bool:
    if item.type == "yes_no":
        return bool(value == "yes")
    if item.type == "select_one":
        return any(c.value == value and c.fires for c in item.choices)
    return False


def missing_required(instrument: Instrument, profile: str, answers: Mapping[str, Any]) -> list[str]:
    """Required questions asked but unanswered; when nothing at all was answered,
    every indicator question asked counts as missing (an empty record is no result)."""
    asked = relevant_items(instrument, profile, answers)
    missing = [i.id for i in asked if i.required and i.id not in answers]
    if not missing and not any(i.id in answers for i in asked if i.indicator):
        missing = [i.id for i in asked if i.indicator]
    return missing


def check_administration(instrument: Instrument, profile: str, administered_with: Any) -> None:
    needed = profile == "child" and instrument.child_administration is not None
    if needed and administered_with not in CHILD_ADMINISTRATION:
        raise AnswerError(
            "administered_with",
            "a child is screened with a caregiver or by a trained caseworker: "
            f"give one of {', '.join(CHILD_ADMINISTRATION)}",
        )


def evaluate(
    instrument: Instrument,
    profile: str,
    answers: Mapping[str, Any],
    language: str = "en",
    administered_with: str | None = None,
) -> Result:
    """Score one response. Answers to items that are not relevant (skipped by
    the form's conditions) do not count."""
    answers = normalise(instrument, profile, answers)
    check_administration(instrument, profile, administered_with)
    asked = relevant_items(instrument, profile, answers)
    asked_ids = {i.id for i in asked}
    fired_items = [i for i in asked if _fires(i, answers.get(i.id))]
    dimension_of = {i: d.id for d in instrument.dimensions for i in d.items}
    counted = [i for i in fired_items if i.indicator]
    self_fired = [i for i in counted if i.scope == "self"]
    score = sum(i.weight for i in self_fired)
    values: dict[str, Any] = {
        "profile": profile,
        "yes": len(self_fired),
        "family_yes": len(counted) - len(self_fired),
        "score": score,
        **{i.id: answers.get(i.id) if i in asked else None for i in instrument.items()},
    }
    dimensions = [_dimension(d, fired_items, profile, language) for d in instrument.dimensions]
    values.update({d.id: d.positive for d in dimensions})
    path: list[Step] = []
    rules: dict[str, bool] = {}
    for rule in instrument.rules:
        if rule.profiles and profile not in rule.profiles:
            continue
        rules[rule.id] = values[rule.id] = bool(expr.evaluate(rule.expression, values))
        path.append(_step("rule", rule.id, rule.expression, rules[rule.id], values))
    for outcome in instrument.outcomes:
        if outcome.profiles and profile not in outcome.profiles:
            continue
        held = bool(expr.evaluate(outcome.when, values))
        path.append(_step("outcome", outcome.id, outcome.when, held, values))
        if held:
            break
    needs = [c for i in fired_items for c in i.specific_needs] + list(outcome.specific_needs)
    referrals = [r for i in fired_items for r in i.referrals] + list(outcome.referrals)
    return Result(
        instrument=instrument.id,
        version=instrument.version,
        profile=profile,
        outcome=outcome.id,
        outcome_label=outcome.label.get(language),
        level=outcome.level,
        explanation=outcome.explanation.get(language),
        fired=[
            FiredItem(
                i.id,
                i.title(language),
                dimension_of.get(i.id),
                i.strength.get(profile),
                i.scope,
            )
            for i in fired_items
        ],
        dimensions=dimensions,
        rules=rules,
        path=path,
        flags=list(outcome.flags),
        specific_needs=list(dict.fromkeys(needs)),
        referrals=list(dict.fromkeys(referrals)),
        yes=values["yes"],
        family_yes=values["family_yes"],
        score=score,
        disclaimer=instrument.disclaimer.get(language),
        answers=answers,
        administered_with=administered_with,
        missing=missing_required(instrument, profile, answers),
        dropped=[i for i in answers if i not in asked_ids],
    )


def _dimension(dimension: Any, fired: list[Item], profile: str, language: str) -> DimensionResult:
    inside = [i for i in fired if i.id in dimension.items]
    tiers = [i.strength.get(profile) for i in inside]
    strong, medium, weak = (tiers.count(t) for t in ("strong", "medium", "weak"))
    tallies: dict[str, float] = {"strong": strong, "medium": medium, "weak": weak}
    tallies.update(yes=len(inside), score=sum(i.weight for i in inside))
    return DimensionResult(
        id=dimension.id,
        label=dimension.label.get(language),
        positive=bool(expr.evaluate(dimension.rule, tallies)),
        strong=strong,
        medium=medium,
        weak=weak,
        fired=[i.id for i in inside],
        rule=dimension.rule,
    )


def _step(kind: str, step_id: str, expression: str, value: bool, values: dict[str, Any]) -> Step:
    read = sorted(expr.names(expression) - {"True", "False"})
    return Step(kind, step_id, expression, value, {n: values[n] for n in read})
