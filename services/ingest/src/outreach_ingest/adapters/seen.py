"""The numbers a file has shown so far, each with the first row that had it (finding repeats in a file).

A number is kept as the integer of its E.164 digits (distinct numbers, distinct integers). Up to `limit`
numbers live in two sorted arrays (numbers and first rows: 16 bytes a number, where a dict took about 90),
and a batch is looked up in them at once (about 0.25 us a row, as fast as the dict). Past `limit`, all of
them move to an SQLite file and the rest of the file is looked up there a batch at a time (a join with the
batch: about 1.5 us a row), so an import's memory stays flat whatever its size.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

Array = np.ndarray[Any, np.dtype[np.int64]]


class SeenNumbers:
    """Number -> first row, in memory up to `limit` numbers, then on disk under `folder`."""

    def __init__(self, limit: int | None = None, folder: Path | None = None) -> None:
        self.limit = limit
        self.folder = folder
        self.numbers: Array = np.empty(0, np.int64)  # sorted
        self.firsts: Array = np.empty(0, np.int64)  # the first row of each number
        self.disk: sqlite3.Connection | None = None

    def first_rows(self, numbers: list[int], rows: list[int]) -> list[int]:
        """For each (number, row) in file order, the first row that had the number (its own row the first
        time); the numbers are remembered."""
        if self.disk is None:
            found = self._in_memory(np.asarray(numbers, np.int64), np.asarray(rows, np.int64))
            if self.limit is not None and len(self.numbers) > self.limit:
                self._spill()
            return found
        batch: dict[int, int] = {}
        local = [batch.setdefault(n, r) for n, r in zip(numbers, rows, strict=True)]
        disk = self.disk
        disk.execute("BEGIN")
        disk.execute("DELETE FROM batch")
        disk.executemany("INSERT INTO batch VALUES (?, ?)", batch.items())
        earlier = dict(disk.execute("SELECT b.number, s.row FROM batch b JOIN seen s ON s.number = b.number"))
        disk.execute("INSERT OR IGNORE INTO seen SELECT number, row FROM batch")
        disk.execute("COMMIT")
        return [earlier.get(n, r) for n, r in zip(numbers, local, strict=True)]

    def _in_memory(self, numbers: Array, rows: Array) -> list[int]:
        if not len(numbers):
            return []
        unique, first_at, inverse = np.unique(numbers, return_index=True, return_inverse=True)
        batch_first = rows[first_at]  # the batch's first row of each of its numbers
        at = np.searchsorted(self.numbers, unique)
        known = np.zeros(len(unique), bool)
        if len(self.numbers):
            inside = at < len(self.numbers)
            known[inside] = self.numbers[at[inside]] == unique[inside]
        first = batch_first.copy()
        first[known] = self.firsts[at[known]]
        new = ~known
        self.numbers = np.insert(self.numbers, at[new], unique[new])
        self.firsts = np.insert(self.firsts, at[new], batch_first[new])
        found: list[int] = first[inverse.reshape(-1)].tolist()
        return found

    def __len__(self) -> int:
        if self.disk is None:
            return len(self.numbers)
        return int(self.disk.execute("SELECT count(*) FROM seen").fetchone()[0])

    def close(self) -> None:
        """Drop the disk copy (its file is already unlinked)."""
        if self.disk is not None:
            self.disk.close()
            self.disk = None

    def _spill(self) -> None:
        descriptor, name = tempfile.mkstemp(prefix="seen-", suffix=".sqlite", dir=self.folder)
        os.close(descriptor)
        # used by one import at a time, from whichever worker thread reads its next chunk
        self.disk = sqlite3.connect(name, isolation_level=None, check_same_thread=False)
        Path(name).unlink()  # the open connection keeps it; nothing is left behind
        self.disk.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-16000;"
            "CREATE TABLE seen (number INTEGER PRIMARY KEY, row INTEGER NOT NULL);"
            "CREATE TABLE batch (number INTEGER PRIMARY KEY, row INTEGER NOT NULL);"
        )
        self.disk.execute("BEGIN")
        self.disk.executemany(
            "INSERT INTO seen VALUES (?, ?)", zip(self.numbers.tolist(), self.firsts.tolist(), strict=True)
        )
        self.disk.execute("COMMIT")
        self.numbers, self.firsts = np.empty(0, np.int64), np.empty(0, np.int64)
