"""The instruments this deployment ships, loaded and checked once."""

from functools import cache
from pathlib import Path

from salama.lib.screening.instrument import Instrument, load_all

DIRECTORY = Path(__file__).resolve().parent / "instruments"


@cache
def instruments() -> dict[str, Instrument]:
    return load_all(DIRECTORY)


def get(instrument_id: str) -> Instrument:
    """The instrument with this id; KeyError names the ids that exist."""
    found = instruments().get(instrument_id)
    if found is None:
        raise KeyError(
            f"no instrument {instrument_id!r}; shipped: {', '.join(sorted(instruments()))}"
        )
    return found
