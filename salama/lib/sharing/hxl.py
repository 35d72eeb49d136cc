"""HXL-tagged CSV of aggregates (never case-level rows).

Metadata convention: every row carries a last column tagged
`#meta+disclosure` saying how the counts were protected, e.g.
"k=11; primary and secondary suppression; 3 cells hidden". A column (not a
comment line above the header) because libhxl and HDX tools parse it, a schema
can require it, and it survives filtering or merging of rows."""

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TextIO

META_COLUMN_NAME = "Disclosure control"
META_TAG = "#meta+disclosure"
_TAG = re.compile(r"#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*")


@dataclass(frozen=True)
class HxlColumn:
    name: str
    tag: str

    def __post_init__(self) -> None:
        if not _TAG.fullmatch(self.tag):
            raise ValueError(f"not an HXL hashtag: {self.tag!r}")


def suppression_meta(k: int, hidden: int) -> str:
    return f"k={k}; primary and secondary suppression; {hidden} cells hidden"


def write_hxl(
    columns: Sequence[HxlColumn],
    rows: Sequence[Sequence[object | None]],
    meta: str,
    file: TextIO,
) -> None:
    """Header names, hashtag row, then rows; None (a hidden cell) is empty."""
    if not meta.strip():
        raise ValueError("aggregates leave only with a note of how they were protected")
    writer = csv.writer(file)
    writer.writerow([c.name for c in columns] + [META_COLUMN_NAME])
    writer.writerow([c.tag for c in columns] + [META_TAG])
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"row has {len(row)} cells for {len(columns)} columns")
        writer.writerow(["" if v is None else v for v in row] + [meta])
