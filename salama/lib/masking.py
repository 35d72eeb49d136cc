"""Which names are masked in lists and search results (PROTECTION.md 8).

Names of survivors of gender-based violence, sexual exploitation and abuse or
trafficking are hidden in lists unless the viewer's role needs them. Here a
survivor is someone carrying an SGBV specific-needs code (SV-*); later case
data (screenings, complaints) will add their own markers.
"""

from collections.abc import Iterable

SURVIVOR_CODE_PREFIXES = ("SV-",)
MASK = "•••"


def is_survivor(specific_needs: Iterable[str]) -> bool:
    return any(code.startswith(SURVIVOR_CODE_PREFIXES) for code in specific_needs)


def masked(name: str, *, survivor: bool, viewer_may_see: bool) -> str:
    return MASK if survivor and not viewer_may_see else name
