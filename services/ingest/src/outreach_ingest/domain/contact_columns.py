"""An import's contacts in columns, as a chunk stores and publishes them: no Python object per contact
beyond its id and number (an import of a million rows built a million dicts, then encoded each twice)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

Positions = Sequence[int] | np.ndarray[Any, np.dtype[np.intp]] | np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class ContactColumns:
    """Contacts in row order: file row, contact id, E.164 number, the number's ledger key (its digits as an
    integer) and the contact's JSON as `ContactData.model_dump_json()` writes it."""

    rows: np.ndarray[Any, np.dtype[np.int64]]
    ids: list[str]
    phones: list[str]
    numbers: np.ndarray[Any, np.dtype[np.int64]]
    json: pa.Array

    def __len__(self) -> int:
        return len(self.rows)

    def take(self, positions: Positions) -> ContactColumns:
        """The contacts at `positions`, in that order."""
        at = np.asarray(positions, np.int64)
        listed = at.tolist()
        return ContactColumns(
            rows=self.rows[at],
            ids=[self.ids[i] for i in listed],
            phones=[self.phones[i] for i in listed],
            numbers=self.numbers[at],
            json=self.json.take(pa.array(at, pa.int64())),
        )

    def between(self, start: int, stop: int) -> ContactColumns:
        """The contacts of rows `start` to `stop` (excluded)."""
        low, high = np.searchsorted(self.rows, [start, stop]).tolist()
        return ContactColumns(
            rows=self.rows[low:high],
            ids=self.ids[low:high],
            phones=self.phones[low:high],
            numbers=self.numbers[low:high],
            json=self.json.slice(low, high - low),
        )

    @staticmethod
    def in_row_order(parts: Sequence[ContactColumns]) -> ContactColumns:
        """The contacts of `parts` together, sorted by row."""
        joined = ContactColumns(
            rows=np.concatenate([p.rows for p in parts]),
            ids=[i for p in parts for i in p.ids],
            phones=[n for p in parts for n in p.phones],
            numbers=np.concatenate([p.numbers for p in parts]),
            json=pa.concat_arrays([p.json for p in parts]),
        )
        return joined.take(np.argsort(joined.rows, kind="stable"))
