"""Calls (the dial queue and the call history), spread over small shard collections.

The MongoDB-wire server's SQLite backend scans a whole collection on every update, so one big `calls`
collection makes each status change slower as history grows. Calls are spread by a hash of their
idempotency key over `shards` collections (`calls_00` ...); the call id carries its shard, so webhooks find
a call with one lookup. Queries over all calls (history, the queue) visit every shard.
"""

from __future__ import annotations

import heapq
import uuid
import zlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from outreach_common.mongo import Document, IndexSpec
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

SHARDS = 64
LIVE = ("dialing", "placed", "queued_at_provider", "initiated", "ringing", "in-progress", "answered")


def indexes(shards: int = SHARDS) -> list[IndexSpec]:
    """The queue and history indexes of every shard."""
    specs = []
    for i in range(shards):
        name = f"calls_{i:02d}"
        specs += [
            IndexSpec(name, [("status", 1), ("queued_at", 1)], name=f"{name}_queue"),
            IndexSpec(name, [("campaign_id", 1), ("queued_at", -1)], name=f"{name}_by_campaign"),
            IndexSpec(name, [("outbox.at", 1)], name=f"{name}_outbox"),
        ]
    return specs


class CallStore:
    """One document per PlaceCall idempotency key: the queue entry, then the call's history."""

    def __init__(self, db: AsyncDatabase[Document], shards: int = SHARDS) -> None:
        self.shards: list[AsyncCollection[Document]] = [db[f"calls_{i:02d}"] for i in range(shards)]
        self.claims = db["call_claims"]
        self._next = 0
        self._claimed: set[str] = set()  # claims this instance made (skipped without a round trip)

    def shard_of(self, key: str) -> int:
        """Shard of an idempotency key."""
        return zlib.crc32(key.encode()) % len(self.shards)

    def collection(self, key: str) -> AsyncCollection[Document]:
        """The collection holding the call with this idempotency key."""
        return self.shards[self.shard_of(key)]

    def new_call_id(self, key: str) -> str:
        """A call id that names its shard."""
        return f"call_{self.shard_of(key):02d}_{uuid.uuid4().hex[:16]}"

    async def enqueue(self, doc: Document) -> bool:
        """Queue a call; False when the idempotency key was seen before."""
        try:
            await self.collection(doc["_id"]).insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def claim_next(self, *, held: list[str], now: datetime, blocked: set[str], owner: str) -> Document | None:
        """Take a queued call (oldest first within a shard, shards in turn) of a campaign neither held nor at
        its concurrency limit. The claim is an insert under the call's key and round: of several instances
        reading the same queued call, exactly one gets it."""
        excluded = [*held, *blocked]
        for _ in range(len(self.shards)):
            shard = self.shards[self._next]
            self._next = (self._next + 1) % len(self.shards)
            query = {"status": "queued", "campaign_id": {"$nin": excluded}}
            async for doc in shard.find(query, {"outbox": 0}).sort("queued_at", 1).limit(16):
                claim = f"{doc['_id']}#{doc.get('round', 0)}"
                if claim in self._claimed:
                    continue
                try:
                    await self.claims.insert_one({"_id": claim, "owner": owner, "at": now})
                except DuplicateKeyError:
                    continue  # another instance took it
                self._claimed.add(claim)
                # the call's next write (placed, deferred, failed or requeued) records the change of status
                return {**doc, "status": "dialing", "dialing_at": now}
        return None

    def settle(self, key: str, round_: int) -> None:
        """Forget a claim once the call's new status is stored."""
        self._claimed.discard(f"{key}#{round_}")

    async def requeue(self, key: str, reason: str) -> None:
        """Put a claimed call back in the queue for a later round (no number or no slot yet)."""
        await self.collection(key).update_one(
            {"_id": key}, {"$set": {"status": "queued", "waiting": reason}, "$inc": {"round": 1}}
        )

    async def update(
        self, key: str, *, expect: dict[str, Any], changes: Document, push: dict[str, Any] | None = None
    ) -> Document | None:
        """Conditional update of one call; None when `expect` no longer holds."""
        update: dict[str, Any] = {"$set": changes} if changes else {}
        if push:
            update["$push"] = push
        return await self.collection(key).find_one_and_update(
            {"_id": key, **expect}, update, return_document=ReturnDocument.AFTER
        )

    async def by_key(self, key: str) -> Document | None:
        """A call by its idempotency key."""
        return await self.collection(key).find_one({"_id": key})

    async def by_id(self, call_id: str) -> Document | None:
        """A call by the dialer's call id."""
        try:
            shard = int(call_id.split("_")[1])
        except (IndexError, ValueError):
            return None
        if not 0 <= shard < len(self.shards):
            return None
        return await self.shards[shard].find_one({"call_id": call_id})

    async def cancel_queued(self, campaign_id: str) -> int:
        """Cancel a stopped campaign's queued calls."""
        canceled = 0
        for shard in self.shards:
            result = await shard.update_many(
                {"campaign_id": campaign_id, "status": "queued"},
                {"$set": {"status": "canceled", "outcome": "canceled"}},
            )
            canceled += result.modified_count
        return canceled

    async def count(self, query: Document) -> int:
        """Calls matching `query` over every shard."""
        return sum([await shard.count_documents(query) for shard in self.shards])

    async def history(self, query: Document, *, skip: int, limit: int) -> list[Document]:
        """Calls matching `query`, newest first, paginated across shards."""
        want = skip + limit
        pages = [
            [d async for d in shard.find(query, {"outbox": 0, "command": 0}).sort("queued_at", -1).limit(want)]
            for shard in self.shards
        ]
        merged = heapq.merge(*pages, key=lambda d: d["queued_at"], reverse=True)
        return list(merged)[skip:want]

    async def each_shard(self) -> AsyncIterator[AsyncCollection[Document]]:
        """Every shard collection (for the outbox sweeper)."""
        for shard in self.shards:
            yield shard
