"""Case-level export in the CTDC k-anonymised format (2021 data dictionary).

Defence against leaks is an allow-list twice over: only CTDC_COLUMNS are ever
written, and each value is rebuilt from a closed vocabulary (codes, 0/1, ISO3,
a year), so a name or a date planted in any field cannot pass through."""

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TextIO

from salama.lib.sharing.kanon import UNKNOWN, Release, ctdc_age_band, k_anonymise

_MEANS = (
    "DebtBondage", "TakesEarnings", "RestrictsFinancialAccess", "Threats",
    "PsychologicalAbuse", "PhysicalAbuse", "SexualAbuse", "FalsePromises",
    "PsychoactiveSubstances", "RestrictsMovement", "RestrictsMedicalCare",
    "ExcessiveWorkingHours", "UsesChildren", "ThreatOfLawEnforcement",
    "WithholdsNecessities", "WithholdsDocuments", "Other", "NotSpecified",
)  # fmt: skip
_EXPLOITATION = {
    "isForcedLabour": "forced_labour",
    "isSexualExploit": "sexual_exploitation",
    "isOtherExploit": "other",
    "isForcedMarriage": "forced_marriage",
    "isForcedMilitary": "forced_military",
    "isOrganRemoval": "organ_removal",
    "isSlaveryAndPractices": "slavery_and_practices",
}
_RECRUITER = ("IntimatePartner", "Friend", "Family", "Other", "Unknown")
_GENDER = {"female": "Female", "male": "Male", "transgender": "Trans/Transgender/NonConforming"}
_ISO3 = re.compile(r"[A-Z]{3}")

CTDC_COLUMNS: tuple[str, ...] = (
    "yearOfRegistration", "gender", "ageBroad", "majorityStatus", "citizenship",
    "CountryOfExploitation",
    *(f"meansOfControl{m}" for m in _MEANS),
    *_EXPLOITATION, "isSexAndLabour", "isAbduction",
    *(f"recruiterRelation{r}" for r in _RECRUITER),
)  # fmt: skip
DEFAULT_QIS = ("gender", "ageBroad", "citizenship", "CountryOfExploitation", "yearOfRegistration")


def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", camel).lower()


def _iso3(value: Any) -> str:
    return value if isinstance(value, str) and _ISO3.fullmatch(value) else UNKNOWN


def _year(value: Any) -> int | str:
    return value if isinstance(value, int) and 1900 <= value <= 2100 else UNKNOWN


def _majority(age: Any) -> str:
    if not isinstance(age, int) or age < 0:
        return UNKNOWN
    return "Minor" if age < 18 else "Adult"


def ctdc_row(case: Mapping[str, Any]) -> dict[str, Any]:
    """One case as CTDC columns, and nothing else."""
    age = case.get("age") if isinstance(case.get("age"), int) else None
    means = set(case.get("means_of_control") or ())
    kinds = set(case.get("exploitation_types") or ())
    relation = case.get("recruiter_relation") or "unknown"
    row: dict[str, Any] = {
        "yearOfRegistration": _year(case.get("year_identified")),
        "gender": _GENDER.get(str(case.get("sex")).lower(), UNKNOWN),
        "ageBroad": ctdc_age_band(age),
        "majorityStatus": _majority(age),
        "citizenship": _iso3(case.get("citizenship")),
        "CountryOfExploitation": _iso3(case.get("country_of_exploitation")),
    }
    row |= {f"meansOfControl{m}": int(_snake(m) in means) for m in _MEANS}
    row |= {col: int(code in kinds) for col, code in _EXPLOITATION.items()}
    row["isSexAndLabour"] = int({"forced_labour", "sexual_exploitation"} <= kinds)
    row["isAbduction"] = int(case.get("is_abduction") is True)
    row |= {f"recruiterRelation{r}": int(_snake(r) == relation) for r in _RECRUITER}
    return {col: row[col] for col in CTDC_COLUMNS}


def ctdc_rows(cases: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [ctdc_row(case) for case in cases]


def band_to_majority(band: Any) -> str:
    """Generalisation step for ageBroad: the band becomes minor/adult."""
    if band in ("0--8", "9--17"):
        return "Minor"
    return UNKNOWN if band in (None, UNKNOWN) else "Adult"


def withhold(_value: Any) -> str:
    """Last generalisation step for a column: hide it altogether."""
    return UNKNOWN


# Year is kept (the dataset is analysed by year); place goes before age.
DEFAULT_GENERALISATIONS = {
    "ageBroad": (band_to_majority,),
    "citizenship": (withhold,),
    "CountryOfExploitation": (withhold,),
}


def ctdc_release(
    cases: Iterable[Mapping[str, Any]], k: int = 11, qis: Sequence[str] = DEFAULT_QIS
) -> Release:
    return k_anonymise(ctdc_rows(cases), qis, k, DEFAULT_GENERALISATIONS)


def write_csv(release: Release, file: TextIO) -> None:
    writer = csv.DictWriter(file, fieldnames=CTDC_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(release.rows)
