"""The linkage engine meets the registry: search keys kept per person,
candidates found by one indexed lookup and scored by the engine, and the
batch scan that fills the duplicate review queue.

Reads of persons go through registry.access; this module only maintains keys
(written by registry.actions) and turns persons into engine rows."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection

from salama.lib.linkage import blocking, engine
from salama.lib.linkage.compare import compare
from salama.lib.linkage.model import Model
from salama.lib.linkage.records import NAME_PARTS, Prepared, prepare

MAX_CANDIDATES = 300
KEY_ROWS = 1000  # people read per search key (see candidate_ids)
# Years either side of a query's age within which a name key is read again:
# estimated adult ages are often off by five (lib.linkage.compare).
AGE_SLACK = 5


# The columns the engine needs, read as plain values for speed.
VALUE_FIELDS = (
    "pk",
    "sex",
    "birth_date",
    "birth_date_estimated",
    "birth_year_max",
    "stated_age",
    "stated_age_on",
    "origin_place",
    "origin_country",
    "household_id",
    "phone",
    *(f"{p}_name{s}" for p in NAME_PARTS for s in ("", "_latin")),
)


def rows_by_script(person: Any, document: str | None = None) -> dict[str, dict[str, str]]:
    """The person (a model instance or a dict of VALUE_FIELDS) as engine rows,
    one per script recorded: "original" and "latin"."""
    get: Any = person.get if isinstance(person, dict) else lambda name: getattr(person, name)
    if document is None:
        document = " ".join(d.number for d in list(person.documents.all())[:1])
    born, age, age_on = get("birth_date"), get("stated_age"), get("stated_age_on")
    base: dict[str, str] = {
        "id": str(get("pk")),
        "sex": str(get("sex")) if get("sex") in {"F", "M", "X"} else "",
        "birth_date": born.isoformat() if born and not get("birth_date_estimated") else "",
        "birth_year": str(get("birth_year_max")) if get("birth_year_max") and not born else "",
        "place_of_origin": get("origin_place") or "",
        "country_of_origin": str(get("origin_country") or ""),
        "household_id": str(get("household_id")),
        "phone": get("phone") or "",
        "document_number": document,
    }
    if age is not None and age_on and not born:
        base.update(age=str(age), age_on=age_on.isoformat(), birth_year="")
    rows: dict[str, dict[str, str]] = {}
    for script, suffix in (("original", ""), ("latin", "_latin")):
        names = {f"{p}_name": get(f"{p}_name{suffix}") or "" for p in NAME_PARTS}
        if any(names.values()):
            rows[script] = {**base, **names}
    return rows or {"original": base}


def person_rows(person: Any, document: str | None = None) -> list[dict[str, str]]:
    """The person as engine rows: one in the original script, one in Latin
    (when both are recorded), so that a query in either script meets it."""
    return list(rows_by_script(person, document).values())


def keys_for_rows(rows: list[dict[str, str]]) -> set[tuple[int, int]]:
    return _prepared_keys(rows)[1]


def _prepared_keys(rows: list[dict[str, str]]) -> tuple[Prepared, set[tuple[int, int]]]:
    """The rows as the engine prepares them, and their search keys."""
    prep, vocab = prepare([{**row, "id": f"{n}"} for n, row in enumerate(rows)])
    return prep, {key for n in range(len(rows)) for key in blocking.stable_keys(prep, vocab, n)}


def index_person(person: Any) -> None:
    """Replace a person's search keys (called by the registry's actions)."""
    from salama.registry.models import BlockingKey

    BlockingKey.objects.filter(person=person).delete()
    BlockingKey.objects.bulk_create(
        BlockingKey(person=person, rule=rule, key=key, year=person.birth_year_max)
        for rule, key in keys_for_rows(person_rows(person))
    )


@dataclass
class Match:
    person: Any
    probability: float
    explanation: list[dict[str, object]]


def _model(population: int) -> Model:
    # A query is one person who may or may not be registered: the chance that
    # a given record is that person is about one in the population.
    return Model(prior=0.5 / max(population, 1))


def score(
    query: dict[str, str],
    persons: Iterable[Any],
    population: int,
    top: int = 10,
    documents: dict[Any, str] | None = None,
) -> list[Match]:
    """The `top` persons most likely to be the one described, each with its
    probability and per-field explanation."""
    persons = list(persons)
    rows = [
        {**row, "id": f"{k}:{n}"}
        for k, p in enumerate(persons)
        for n, row in enumerate(
            person_rows(p, None if documents is None else documents.get(_pk(p), ""))
        )
    ]
    if not rows:
        return []
    owner = np.array([int(r["id"].split(":")[0]) for r in rows])
    prep, vocab = prepare([{**query, "id": "query"}, *rows])
    i = np.zeros(len(rows), dtype=np.int64)
    j = np.arange(1, len(rows) + 1)
    levels = compare(prep, prep, i, j, vocab, same_households=False)
    model = _model(population)
    probabilities = model.probabilities(levels)
    best: dict[int, int] = {}
    for row_index, person_index in enumerate(owner):
        if person_index not in best or probabilities[row_index] > probabilities[best[person_index]]:
            best[person_index] = row_index
    ranked = sorted(best.items(), key=lambda item: -probabilities[item[1]])[:top]
    return [Match(persons[k], float(probabilities[r]), model.explain(levels[r])) for k, r in ranked]


def _pk(person: Any) -> Any:
    return person["pk"] if isinstance(person, dict) else person.pk


def candidate_ids(query: dict[str, str]) -> list[Any]:
    """Ids of the people whose shared search keys are rarest, ranked in the
    database. A key shared by thousands (a common name at a large site)
    contributes at most KEY_ROWS of its people: counting all of them made the
    slowest searches slow at a million people. Each shared key weighs
    1 / (people read for it), so one rare key (a phone, an unusual father's
    name) outranks several crowded ones; counting keys alone let namesakes
    fill the list. When the query gives an age, each name key is read a
    second time among the people born within AGE_SLACK years of it, each
    weighing 1 / (people of that age read): "Abdi, about 7" reads the Abdis
    of about 7 rather than an arbitrary thousand, and a person recorded with
    a far-off age is still read with the first weight. Measured at 1M
    (bench/linkage/RESULTS.md)."""
    from salama.registry.models import BlockingKey

    keys, years = _query_keys(query)
    if not keys:
        return []
    table = BlockingKey._meta.db_table
    # Only constants are formatted in (table name, numbers); keys are parameters.
    per_key, params = [], []
    for n, (rule, key) in enumerate(keys):
        per_key.append(
            f"SELECT person_id, {n} AS k FROM (SELECT person_id FROM {table} "  # noqa: S608
            f"WHERE rule = %s AND key = %s LIMIT {KEY_ROWS}) AS k{n}"
        )
        params += [rule, key]
        if years is not None and rule not in blocking.AGELESS_NUMBERS:
            # year is the latest possible birth year: a stated age spans two.
            per_key.append(
                f"SELECT person_id, {n + len(keys)} AS k FROM (SELECT person_id FROM {table} "  # noqa: S608
                "WHERE rule = %s AND key = %s AND (year BETWEEN %s AND %s OR year IS NULL) "
                f"LIMIT {KEY_ROWS}) AS a{n}"
            )
            params += [rule, key, years[0] - AGE_SLACK, years[1] + AGE_SLACK + 1]
    hits = " UNION ALL ".join(per_key)
    sql = (
        "SELECT person_id FROM (SELECT person_id, "  # noqa: S608
        f"COUNT(*) OVER (PARTITION BY k) AS people_read FROM ({hits}) AS hits) AS weighed "
        f"GROUP BY person_id ORDER BY SUM(1.0 / people_read) DESC, person_id LIMIT {MAX_CANDIDATES}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [_person_id(row[0]) for row in cursor.fetchall()]


def _query_keys(query: dict[str, str]) -> tuple[list[tuple[int, int]], tuple[int, int] | None]:
    """The query's search keys (one-name keys only when it gives one name)
    and its birth-year range, None when it gives no age or date."""
    prep, found = _prepared_keys([query])
    keys = sorted(found)
    if any(rule not in blocking.SEARCH_ONLY_NUMBERS for rule, _key in keys):
        keys = [k for k in keys if k[0] not in blocking.SEARCH_ONLY_NUMBERS]
    low, high = int(prep.year_min[0]), int(prep.year_max[0])
    return keys, ((low, high) if low >= 0 and high >= 0 else None)


def _person_id(value: Any) -> Any:
    # SQLite hands back the UUID primary key as text.
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def scan_rows(persons: Iterable[Any]) -> list[dict[str, dict[str, str]]]:
    """Each person's rows by script, for the batch scan."""
    return [rows_by_script(p) for p in persons]


Found = tuple[str, str, float, list[dict[str, object]]]


def find_duplicates(rows: list[dict[str, dict[str, str]]], threshold: float) -> list[Found]:
    """Pairs at or above `threshold`. Two records are compared in a script
    both have where they can: once with everyone's Latin names (or the only
    names recorded), once with the original script among those who have it,
    keeping each pair's better comparison. Comparing one record's Arabic
    with the other's Latin only said "family name: partly" of two records
    whose Latin family names read the same."""
    runs = [[r.get("latin") or r["original"] for r in rows]]
    original = [r["original"] for r in rows if "original" in r and "latin" in r]
    if original:
        runs.append([r["original"] for r in rows if "original" in r])
    best: dict[tuple[str, str], Found] = {}
    for run in runs:
        if len(run) < 2:
            continue
        for found in _dedup(run, threshold):
            key = (min(found[0], found[1]), max(found[0], found[1]))
            if key not in best or found[2] > best[key][2]:
                best[key] = found
    return sorted(best.values(), key=lambda f: -f[2])


def _dedup(rows: list[dict[str, str]], threshold: float) -> list[Found]:
    prep, result, model = engine.dedup(rows, threshold=threshold)
    return [
        (prep.ids[i], prep.ids[j], float(p), model.explain(levels, tf))
        for i, j, p, levels, tf in zip(
            result.left,
            result.right,
            result.probability,
            result.levels,
            result.name_tf,
            strict=True,
        )
    ]
