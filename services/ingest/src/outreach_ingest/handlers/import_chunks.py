"""A file's rows, with their verdicts, in chunks of consecutive rows (each one store-and-publish step)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outreach_ingest.adapters.csvfiles import record_batches
from outreach_ingest.adapters.seen import SeenNumbers
from outreach_ingest.domain.batches import RecordBatch
from outreach_ingest.domain.csvfile import Dialect
from outreach_ingest.domain.duplicates import repeated_rows
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.pipeline import verdict_batches
from outreach_ingest.domain.rows import Verdict


@dataclass
class Chunk:
    """Consecutive rows of a file with their verdicts, as one store-and-publish step."""

    records: RecordBatch
    rows: int = 0
    contacts: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (row, ContactData fields)
    rejected: list[tuple[Verdict, list[str]]] = field(default_factory=list)  # with the record's values
    merged: int = 0  # repeats of an earlier row's number, duplicates kept: the campaign holds the first row's

    def values(self, rows: list[int]) -> list[list[str]]:
        """The values of the records at `rows` as the file has them (one read of the columns)."""
        first = int(self.records.rows[0].as_py())
        return [list(record.values()) for _, record in self.records.records(row - first for row in rows)]


def chunks_of(
    path: Path, dialect: Dialect, mapping: Mapping, job: dict[str, Any], *, after: int, size: int, seen: SeenNumbers
) -> Iterator[Chunk]:
    """The file's rows after row `after` in chunks of at most `size` rows (the rows up to `after` only fill
    the map of numbers seen)."""
    options = {"default_region": job["default_region"], "skip_duplicates": job["skip_duplicates"]}
    for records, verdicts in verdict_batches(record_batches(path, dialect), mapping, seen=seen, **options):
        repeats = set() if job["skip_duplicates"] else repeated_rows(verdicts, seen)
        first = int(verdicts.rows[0].as_py())  # rows of a batch are consecutive
        low, high = max(first, after + 1), first + len(verdicts)
        if low >= high:
            continue
        contacts = [(row, contact) for _, row, contact in verdicts.contacts() if row >= low]
        merged = [row for row, _ in contacts if row in repeats]
        contacts = [(row, contact) for row, contact in contacts if row not in repeats] if merged else contacts
        rejected = [r for r in verdicts.rejected() if r[0] >= low]
        values = {row: list(record.values()) for row, record in records.records(r[0] - first for r in rejected)}
        contact_rows, rejected_rows = [row for row, _ in contacts], [r[0] for r in rejected]
        for start in range(low, high, size):
            stop = min(start + size, high)
            a, b = bisect_left(contact_rows, start), bisect_left(contact_rows, stop)
            c, d = bisect_left(rejected_rows, start), bisect_left(rejected_rows, stop)
            verdicts_ = [Verdict(row=row, status=status, reason=reason, duplicate_of=of)
                         for row, status, reason, of in rejected[c:d]]  # fmt: skip
            refused = [(verdict, values[verdict.row]) for verdict in verdicts_]
            repeated = bisect_left(merged, stop) - bisect_left(merged, start)
            yield Chunk(records=records, rows=stop - start, contacts=contacts[a:b], rejected=refused, merged=repeated)
