"""Shared result types."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prediction:
    """One week's prediction from a count model fitted on past weeks only."""

    expected: float
    upper: float  # alarm when count > upper
    pvalue: float  # P(Y >= observed) under the model
    phi: float  # dispersion, variance = phi * expected


@dataclass(frozen=True)
class WeekScore:
    """Output of the combined detector for one week."""

    week: int  # index into the series
    expected: float
    upper: float
    score: float  # -log10 of the combined upper-tail p-value
    alarm: bool
    method: str  # which per-week model was used
    pvalue: float
