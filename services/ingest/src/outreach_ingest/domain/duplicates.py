"""Repeated phone numbers in a file: each imported record whose number an earlier record had is a duplicate
of that record's row (or, with duplicates kept, merged into its contact)."""

from __future__ import annotations

from typing import Protocol

import pyarrow as pa
import pyarrow.compute as pc

from outreach_ingest.domain.normalise import VerdictBatch


class FirstRows(Protocol):
    """The numbers a file has shown so far, each with the first row that had it."""

    def first_rows(self, numbers: list[int], rows: list[int]) -> list[int]:
        """For each (number, row) in file order, the first row that had the number (its own row the first
        time); the numbers are remembered."""
        ...


class NumbersInMemory:
    """`FirstRows` in a dict (a file of a few hundred thousand numbers; the import job's spills to disk)."""

    def __init__(self) -> None:
        self.memory: dict[int, int] = {}

    def first_rows(self, numbers: list[int], rows: list[int]) -> list[int]:
        first = self.memory.setdefault
        return [first(n, r) for n, r in zip(numbers, rows, strict=True)]


def mark_duplicates(verdicts: VerdictBatch, seen: FirstRows) -> None:
    """Imported records whose number an earlier record had become duplicates of that record's row;
    `seen` (number -> first row) carries across batches."""
    found = _first_rows(verdicts, seen)
    if found is None or not pc.any(pc.not_equal(*found)).as_py():
        return
    firsts = found[0]
    imported = pc.equal(verdicts.status, "imported")
    first = pc.replace_with_mask(pa.nulls(len(verdicts), pa.int64()), imported, firsts)
    duplicate = pc.fill_null(pc.not_equal(first, verdicts.rows), False)
    text = pc.binary_join_element_wise(
        "duplicate phone number in file (same as row ", pc.cast(first, pa.string()), ")", ""
    )
    verdicts.status = pc.if_else(duplicate, "duplicate", verdicts.status)
    verdicts.reason = pc.if_else(duplicate, text, verdicts.reason)
    verdicts.duplicate_of = pc.if_else(duplicate, first, verdicts.duplicate_of)
    for position in pc.indices_nonzero(duplicate).to_pylist():
        verdicts.warnings.pop(position, None)


def repeated_rows(verdicts: VerdictBatch, seen: FirstRows) -> set[int]:
    """The rows of imported records whose number an earlier record had (`seen` carries across batches);
    the verdicts stay as they are (duplicates kept: the campaign holds the first row's contact)."""
    found = _first_rows(verdicts, seen)
    if found is None:
        return set()
    firsts, rows = found
    return set(rows.filter(pc.not_equal(firsts, rows)).to_pylist())


def _first_rows(verdicts: VerdictBatch, seen: FirstRows) -> tuple[pa.Int64Array, pa.Int64Array] | None:
    """For the imported records: the first row that had each one's number, and their own rows."""
    at = pa.array(verdicts.rows_where("imported"), pa.int64())
    if not len(at):
        return None
    numbers = pc.cast(pc.utf8_slice_codeunits(verdicts.contact["phone"].take(at), 1), pa.int64()).to_pylist()
    rows = verdicts.rows.take(at)
    return pa.array(seen.first_rows(numbers, rows.to_pylist()), pa.int64()), rows
