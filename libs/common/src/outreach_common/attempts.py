"""Attempts at a message that outlive the process, so a message that crashes it still reaches the
dead-letter topic instead of crashing every process that takes it.

A subscriber commits each message after its effect, so after a crash the partition starts again at the
message that was being handled. The first message a process handles on each partition is therefore the one
a crash could have stopped at: its attempt is written down before the handler runs and removed after, and
when a process finds the count at the limit it dead-letters the message unread. Later messages of a
partition the process has already settled need no write (an error there is counted in memory)."""

from __future__ import annotations

from typing import Protocol

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from outreach_common.mongo import Document

COLLECTION = "consumer_attempts"


class AttemptLedger(Protocol):
    """Durable attempt counts per message position."""

    async def begin(self, position: str) -> int:
        """Count one more attempt at `position`; return how many there have been, this one included."""
        ...

    async def finish(self, position: str) -> None:
        """`position` is settled (handled or dead-lettered): forget it."""
        ...


class MongoAttempts:
    """The ledger in the service's own database."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._attempts = db[COLLECTION]

    async def begin(self, position: str) -> int:
        """Count one more attempt at `position`; return how many there have been, this one included."""
        doc = await self._attempts.find_one_and_update(
            {"_id": position}, {"$inc": {"n": 1}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        return int(doc["n"]) if doc else 1

    async def finish(self, position: str) -> None:
        """`position` is settled: forget it."""
        await self._attempts.delete_one({"_id": position})


class MemoryAttempts:
    """The ledger for one process only (unit tests, tools): it does not survive a crash."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    async def begin(self, position: str) -> int:
        """Count one more attempt at `position`."""
        self.counts[position] = self.counts.get(position, 0) + 1
        return self.counts[position]

    async def finish(self, position: str) -> None:
        """Forget `position`."""
        self.counts.pop(position, None)
