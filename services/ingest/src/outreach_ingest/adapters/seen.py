"""The numbers a file has shown so far, each with the first row that had it (finding repeats in a file).

A number is kept as the integer of its E.164 digits (distinct numbers, distinct integers). Up to `limit`
numbers live in memory (`NumbersInMemory`: sorted arrays, 16 bytes a number). Past `limit`, all of them
move to an SQLite file and the rest of the file is looked up there a batch at a time (a join with the
batch: about 1.5 us a row), so an import's memory stays flat whatever its size.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

import numpy as np

from outreach_ingest.domain.duplicates import Array, NumbersInMemory


class SeenNumbers:
    """Number -> first row, in memory up to `limit` numbers, then on disk under `folder`."""

    def __init__(self, limit: int | None = None, folder: Path | None = None) -> None:
        self.limit = limit
        self.folder = folder
        self.memory = NumbersInMemory()
        self.disk: sqlite3.Connection | None = None

    def first_rows(self, numbers: Array, rows: Array) -> Array:
        """For each (number, row) in file order, the first row that had the number (its own row the first
        time); the numbers are remembered."""
        if self.disk is None:
            found = self.memory.first_rows(numbers, rows)
            if self.limit is not None and len(self.memory) > self.limit:
                self._spill()
            return found
        batch: dict[int, int] = {}
        local = [batch.setdefault(n, r) for n, r in zip(numbers.tolist(), rows.tolist(), strict=True)]
        disk = self.disk
        disk.execute("BEGIN")
        disk.execute("DELETE FROM batch")
        disk.executemany("INSERT INTO batch VALUES (?, ?)", batch.items())
        earlier = dict(disk.execute("SELECT b.number, s.row FROM batch b JOIN seen s ON s.number = b.number"))
        disk.execute("INSERT OR IGNORE INTO seen SELECT number, row FROM batch")
        disk.execute("COMMIT")
        return np.array([earlier.get(n, r) for n, r in zip(numbers.tolist(), local, strict=True)], np.int64)

    def __len__(self) -> int:
        if self.disk is None:
            return len(self.memory)
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
        for numbers, firsts in self.memory.runs:
            self.disk.executemany("INSERT INTO seen VALUES (?, ?)", zip(numbers.tolist(), firsts.tolist(), strict=True))
        self.disk.execute("COMMIT")
        self.memory = NumbersInMemory()
