"""The numbers a file has shown so far, each with the first row that had it (finding repeats in a file).

A number is kept as the integer of its E.164 digits (distinct numbers, distinct integers). Up to `limit`
numbers live in sorted runs of two arrays each (numbers and first rows: 16 bytes a number, where a dict
took about 90), and a batch is looked up in every run at once (about 0.25 us a row, as fast as the dict).
A batch's new numbers make a run of their own, merged with the run before while that one is not more than
twice as long, so there are about log2(numbers / batch) runs and each number is copied as often (inserting
them into one array copied the whole array every batch: 1,000,000 numbers in batches of 5,000 took 1.22 s
that way, 0.49 s in runs). Past `limit`, all of them move to an SQLite file and the rest of the file is
looked up there a batch at a time (a join with the batch: about 1.5 us a row), so an import's memory stays
flat whatever its size.
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
        self.runs: list[tuple[Array, Array]] = []  # (sorted numbers, the first row of each); no number twice
        self.disk: sqlite3.Connection | None = None

    def first_rows(self, numbers: list[int], rows: list[int]) -> list[int]:
        """For each (number, row) in file order, the first row that had the number (its own row the first
        time); the numbers are remembered."""
        if self.disk is None:
            found = self._in_memory(np.asarray(numbers, np.int64), np.asarray(rows, np.int64))
            if self.limit is not None and len(self) > self.limit:
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
        first = rows[first_at]  # the batch's first row of each of its numbers, until a run knows an earlier
        known = np.zeros(len(unique), bool)
        for run_numbers, run_firsts in self.runs:
            at = np.minimum(np.searchsorted(run_numbers, unique), len(run_numbers) - 1)
            hit = run_numbers[at] == unique
            first[hit] = run_firsts[at[hit]]
            known |= hit
        new = ~known
        if new.any():
            self._add(unique[new], first[new])
        found: list[int] = first[inverse.reshape(-1)].tolist()
        return found

    def _add(self, numbers: Array, firsts: Array) -> None:
        self.runs.append((numbers, firsts))
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            (a, a_firsts), (b, b_firsts) = self.runs.pop(-2), self.runs.pop()
            merged = np.concatenate((a, b))
            order = np.argsort(merged, kind="stable")  # two sorted runs: a linear merge
            self.runs.append((merged[order], np.concatenate((a_firsts, b_firsts))[order]))

    def __len__(self) -> int:
        if self.disk is None:
            return sum(len(numbers) for numbers, _ in self.runs)
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
        for numbers, firsts in self.runs:
            self.disk.executemany("INSERT INTO seen VALUES (?, ?)", zip(numbers.tolist(), firsts.tolist(), strict=True))
        self.disk.execute("COMMIT")
        self.runs = []
