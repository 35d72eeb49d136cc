"""PROTECTION.md 26: parsers and forms answer any input with data or a clear
error, never an exception (property-based)."""

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salama.registry.forms import PERSON_FIELDS, PersonForm
from salama.registry.importer import COLUMNS, ImportFileError, check_rows, parse_file

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(
    content=st.binary(max_size=2000), name=st.sampled_from(["a.csv", "a.xlsx", "a.txt", "A.CSV"])
)
def test_parse_file_reads_or_refuses_any_bytes(content, name):
    try:
        rows = parse_file(content, name)
    except ImportFileError as exc:
        assert str(exc)
    else:
        assert isinstance(rows, list)


cells = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30)


@FAST
@given(
    rows=st.lists(st.fixed_dictionaries({c: cells for c in COLUMNS[:12]}), min_size=1, max_size=5)
)
def test_any_rows_are_checked_without_crashing(rows):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    try:
        parsed = parse_file(buffer.getvalue().encode(), "rows.csv")
    except ImportFileError:
        return
    errors = check_rows(parsed, 0, len(parsed), {"AMC-Z1A"})
    for error in errors:
        assert error.row >= 2 and error.message


@FAST
@given(data=st.fixed_dictionaries({f: cells for f in PERSON_FIELDS}))
def test_person_form_validates_any_text(data):
    form = PersonForm(data=data)
    if form.is_valid():
        assert any(form.cleaned_data[p] for p in PERSON_FIELDS[:8])
    else:
        assert form.errors
