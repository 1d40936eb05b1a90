"""A file's rows, with their verdicts, in chunks of consecutive rows (each one store-and-publish step)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from outreach_ingest.adapters.contact_json import contacts_json
from outreach_ingest.adapters.csvfiles import record_batches
from outreach_ingest.adapters.seen import SeenNumbers
from outreach_ingest.domain.batches import RecordBatch
from outreach_ingest.domain.contact_columns import ContactColumns
from outreach_ingest.domain.csvfile import Dialect
from outreach_ingest.domain.duplicates import repeated_rows
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.domain.normalise import VerdictBatch
from outreach_ingest.domain.pipeline import verdict_batches
from outreach_ingest.domain.rows import Verdict, contact_id
from outreach_ingest.domain.taken import number_keys


@dataclass
class Chunk:
    """Consecutive rows of a file with their verdicts, as one store-and-publish step."""

    records: RecordBatch
    contacts: ContactColumns
    rows: int = 0
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
        contacts, merged = _imported(verdicts, job, low, repeats)
        rejected = [r for r in verdicts.rejected() if r[0] >= low]
        values = {row: list(record.values()) for row, record in records.records(r[0] - first for r in rejected)}
        rejected_rows = [r[0] for r in rejected]
        for start in range(low, high, size):
            stop = min(start + size, high)
            c, d = bisect_left(rejected_rows, start), bisect_left(rejected_rows, stop)
            verdicts_ = [Verdict(row=row, status=status, reason=reason, duplicate_of=of)
                         for row, status, reason, of in rejected[c:d]]  # fmt: skip
            refused = [(verdict, values[verdict.row]) for verdict in verdicts_]
            repeated = int(np.count_nonzero((merged >= start) & (merged < stop)))
            yield Chunk(records, contacts.between(start, stop), rows=stop - start, rejected=refused, merged=repeated)


def _imported(
    verdicts: VerdictBatch, job: dict[str, Any], low: int, repeats: set[int]
) -> tuple[ContactColumns, np.ndarray[Any, np.dtype[np.int64]]]:
    """The imported records from row `low` on, but the repeats merged into an earlier row's contact (whose
    rows come second)."""
    at = pc.indices_nonzero(pc.and_(pc.equal(verdicts.status, "imported"), pc.greater_equal(verdicts.rows, low)))
    rows = verdicts.rows.take(at).to_numpy()
    merged = rows[:0]
    if repeats:
        repeated = np.isin(rows, np.fromiter(repeats, np.int64, len(repeats)))
        merged, rows = rows[repeated], rows[~repeated]
        at = at.filter(pa.array(~repeated))
    contact = {name: column.take(at) for name, column in verdicts.contact.items()}
    phones = contact["phone"].to_pylist()
    ws, campaign = job["workspace_id"], job["campaign_id"]
    columns = ContactColumns(
        rows=rows,
        ids=[contact_id(ws, campaign, phone) for phone in phones],
        phones=phones,
        numbers=number_keys(contact["phone"]),
        json=contacts_json(contact, {name: column.take(at) for name, column in verdicts.fields.items()}),
    )
    return columns, merged
