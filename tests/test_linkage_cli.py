"""`salama linkage dedup|link|search` on CSV files."""

import csv

import pytest
from django.core.management import CommandError, call_command

from tests.test_linkage_engine import people

HEADER = [
    "id",
    "given_name",
    "father_name",
    "family_name",
    "birth_year",
    "age",
    "age_on",
    "sex",
    "document_number",
    "colour",
]


def write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "colour": "blue"})  # unknown columns are ignored
    return path


def read(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_dedup(tmp_path, capsys):
    out = tmp_path / "pairs.csv"
    call_command("linkage", "dedup", str(write(tmp_path / "in.csv", people())), "--out", str(out))
    pairs = {(r["id_l"], r["id_r"]) for r in read(out)}
    assert ("1", "1b") in pairs and ("2", "2b") in pairs and ("4", "5") not in pairs
    assert all(0.5 <= float(r["probability"]) <= 1 for r in read(out))
    assert "pairs compared" in capsys.readouterr().out


def test_link_and_threshold(tmp_path):
    a, b = write(tmp_path / "a.csv", people()[:5]), write(tmp_path / "b.csv", people()[5:])
    out = tmp_path / "links.csv"
    call_command("linkage", "link", str(a), str(b), "--out", str(out), "--threshold", "0.9")
    links = read(out)
    assert {(r["id_l"], r["id_r"]) for r in links} <= {("1", "1b"), ("2", "2b")}
    assert all(float(r["probability"]) >= 0.9 for r in links)


def test_search(tmp_path):
    registry = write(tmp_path / "registry.csv", people()[:5])
    queries = write(
        tmp_path / "queries.csv", [dict(people()[5], id="q1"), dict(people()[6], id="q2")]
    )
    out = tmp_path / "results.csv"
    call_command(
        "linkage",
        "search",
        "--registry",
        str(registry),
        "--queries",
        str(queries),
        "--top",
        "3",
        "--out",
        str(out),
    )
    results = read(out)
    best = {r["query_id"]: r["id"] for r in results if r["rank"] == "1"}
    assert best == {"q1": "1", "q2": "2"}
    assert max(int(r["rank"]) for r in results) <= 3


def test_malformed_files_name_the_row_and_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,birth_year\n1,1980\n2,nineteen\n", encoding="utf-8")
    with pytest.raises(CommandError, match="row 3, column birth_year"):
        call_command("linkage", "dedup", str(bad), "--out", str(tmp_path / "o.csv"))
    no_id = tmp_path / "noid.csv"
    no_id.write_text("name\nx\n", encoding="utf-8")
    with pytest.raises(CommandError, match="must name an id column"):
        call_command("linkage", "dedup", str(no_id), "--out", str(tmp_path / "o.csv"))
    with pytest.raises(CommandError, match="threshold"):
        call_command(
            "linkage", "dedup", str(bad), "--out", str(tmp_path / "o.csv"), "--threshold", "2"
        )
    with pytest.raises(CommandError, match="No such file"):
        call_command(
            "linkage", "dedup", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "o.csv")
        )


def test_dedup_with_workers_writes_the_same_pairs(tmp_path):
    source = write(tmp_path / "in.csv", people())
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"pairs-{workers}.csv"
        call_command("linkage", "dedup", str(source), "--out", str(out), "--workers", workers)
        outputs.append(read(out))
    assert outputs[0] == outputs[1] and outputs[0]
    with pytest.raises(CommandError, match="--workers must be at least 1"):
        call_command("linkage", "dedup", str(source), "--out", str(out), "--workers", "0")
