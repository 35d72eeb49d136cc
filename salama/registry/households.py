"""Who heads a household. Every household has a head of household, or is
registered explicitly as child-headed or as an unaccompanied child; those two
carry the UNHCR specific-needs code and alert child protection. One rule for
the desk, the API and imports."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from salama.lib.ages import birth_years

HEAD = "head"
CHILD_HEADED = "child_headed"
UNACCOMPANIED = "unaccompanied_child"
COMPOSITIONS = [
    (HEAD, gettext_lazy("A member is the head of household")),
    (CHILD_HEADED, gettext_lazy("Child-headed household (the head is under 18)")),
    (UNACCOMPANIED, gettext_lazy("Unaccompanied child (no adult caring for them)")),
]
# The specific-needs code (salama/data/specific_needs.json) each choice sets.
NEED_CODE = {CHILD_HEADED: "SC-CH", UNACCOMPANIED: "SC-UC"}
ADULT_AGE = 18


@dataclass(frozen=True)
class Member:
    relationship: str
    years: tuple[int | None, int | None]  # possible birth years

    def certainly_child(self, today: date) -> bool:
        return self.years[0] is not None and today.year - self.years[0] < ADULT_AGE

    def certainly_adult(self, today: date) -> bool:
        return self.years[1] is not None and today.year - self.years[1] - 1 >= ADULT_AGE


def member_of(fields: Mapping[str, Any]) -> Member:
    """A member from cleaned person fields (PersonForm.cleaned_data)."""
    years = birth_years(
        fields.get("birth_date"), fields.get("stated_age"), fields.get("stated_age_on")
    )
    return Member(str(fields.get("relationship") or ""), years)


def composition_from_needs(members: list[Member], needs: list[list[str]], today: date) -> str:
    """The choice a file or an API client made through the members' codes: a
    household with no adult head whose members carry SC-CH or SC-UC. With an
    adult head, such a code is a child in that adult's care, and the head
    rule applies."""
    heads = [m for m in members if m.relationship == HEAD]
    if heads and not any(h.certainly_child(today) for h in heads):
        return HEAD
    codes = {code for member in needs for code in member}
    for composition, code in NEED_CODE.items():
        if code in codes:
            return composition
    return HEAD


def problems(composition: str, members: list[Member], today: date) -> list[str]:
    """What is wrong with this household's head, in the reader's language."""
    if composition not in dict(COMPOSITIONS):
        return [_("Choose who heads the household.")]
    heads = [m for m in members if m.relationship == HEAD]
    found: list[str] = []
    if len(heads) > 1:
        found.append(
            _("A household has one head; %(n)d members are marked as head.") % {"n": len(heads)}
        )
    if composition == HEAD:
        if not heads:
            found.append(
                _(
                    "Mark one member as the head of household, or register the household "
                    "as child-headed or as an unaccompanied child."
                )
            )
        elif any(h.certainly_child(today) for h in heads):
            found.append(
                _(
                    "The head of household is under 18: register the household as "
                    "child-headed or as an unaccompanied child."
                )
            )
    elif composition == CHILD_HEADED and any(h.certainly_adult(today) for h in heads):
        found.append(_("The head of a child-headed household is under 18; this head is an adult."))
    elif composition == UNACCOMPANIED and any(m.certainly_adult(today) for m in members):
        found.append(_("An unaccompanied child has no adult in the household."))
    return found


def with_need_code(composition: str, needs: list[str]) -> list[str]:
    """A member's specific-needs codes with the code the choice sets."""
    code = NEED_CODE.get(composition)
    return needs if code is None or code in needs else [*needs, code]


def site_path_ancestors(path: str) -> list[str]:
    """'/3/7/12/' -> ['/3/', '/3/7/', '/3/7/12/']: the sites at or above one."""
    ids = [part for part in path.split("/") if part]
    return ["/" + "/".join(ids[: n + 1]) + "/" for n in range(len(ids))]


def registered_as(needs: list[list[str]]) -> str:
    """What a registered household was registered as, from its members' codes
    ("" for a household with a head)."""
    codes = {code for member in needs for code in member}
    for composition, label in COMPOSITIONS:
        if NEED_CODE.get(composition) in codes:
            return str(label)
    return ""
