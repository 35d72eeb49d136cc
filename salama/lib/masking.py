"""Which names are masked in lists and search results (PROTECTION.md 8).

Names of survivors of gender-based violence, sexual exploitation and abuse or
trafficking are hidden in lists unless the viewer's role needs them. Here a
survivor is someone carrying an SGBV specific-needs code (SV-*) or Salama's
SL-HT, which a positive trafficking screening adds.
"""

from collections.abc import Iterable

# SV-*: UNHCR's SGBV codes; SL-HT: Salama's marker for a positive trafficking screening.
SURVIVOR_CODE_PREFIXES = ("SV-", "SL-HT")
MASK = "•••"


def is_survivor(specific_needs: Iterable[str]) -> bool:
    return any(code.startswith(SURVIVOR_CODE_PREFIXES) for code in specific_needs)


def masked(name: str, *, survivor: bool, viewer_may_see: bool) -> str:
    return MASK if survivor and not viewer_may_see else name
