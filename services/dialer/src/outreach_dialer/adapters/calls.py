"""Calls (the dial queue's record and the call history), spread over small shard collections.

The MongoDB-wire server's SQLite backend reads a whole collection on every update and every query that is
not an insert, so the cost of a status change grows with the bytes of its collection. Calls are spread by
a hash of their idempotency key over `shards` collections (`calls_000` ...) and the call document stays
small: the command itself is kept apart in `call_commands` (written once, read only to adopt calls a
stopped instance left queued). The call id carries its shard, so webhooks find a call in one collection.
"""

from __future__ import annotations

import contextlib
import heapq
import uuid
import zlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from outreach_common.cursors import page_after
from outreach_common.kafka import EventBus
from outreach_common.mongo import Document, IndexSpec
from outreach_common.outbox import relay
from outreach_common.retention import prune_before
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

SHARDS = 128


def indexes(shards: int = SHARDS) -> list[IndexSpec]:
    """The queue and history indexes of every shard."""
    specs = []
    for i in range(shards):
        name = f"calls_{i:03d}"
        specs += [
            IndexSpec(name, [("status", 1), ("queued_at", 1)], name=f"{name}_queue"),
            IndexSpec(name, [("campaign_id", 1), ("queued_at", -1)], name=f"{name}_by_campaign"),
            IndexSpec(name, [("outbox.at", 1)], name=f"{name}_outbox"),
        ]
    return specs


class CallStore:
    """One document per PlaceCall idempotency key: the queue entry, then the call's history."""

    def __init__(self, db: AsyncDatabase[Document], shards: int = SHARDS) -> None:
        self.shards: list[AsyncCollection[Document]] = [db[f"calls_{i:03d}"] for i in range(shards)]
        self.claims = db["call_claims"]
        self.commands = db["call_commands"]
        self.dialers = db["dialers"]

    def shard_of(self, key: str) -> int:
        """Shard of an idempotency key."""
        return zlib.crc32(key.encode()) % len(self.shards)

    def collection(self, key: str) -> AsyncCollection[Document]:
        """The collection holding the call with this idempotency key."""
        return self.shards[self.shard_of(key)]

    def new_call_id(self, key: str) -> str:
        """A call id that names its shard."""
        return f"call_{self.shard_of(key):03d}_{uuid.uuid4().hex[:16]}"

    async def enqueue(self, doc: Document, command: Document) -> bool:
        """Record a queued call and its command; False when the idempotency key was seen before. The command
        goes first: a call recorded without it could never be adopted, and a crash between the two inserts
        is followed by the command's redelivery, which then records the call."""
        with contextlib.suppress(DuplicateKeyError):  # written by an earlier delivery: the first wins
            await self.commands.insert_one({"_id": doc["_id"], "command": command})
        try:
            await self.collection(doc["_id"]).insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def claim(self, doc: Document, *, owner: str, now: datetime) -> bool:
        """Claim a queued call for this instance: an insert under the call's key and round, so of several
        instances that hold the same call, exactly one gets it."""
        try:
            await self.claims.insert_one({"_id": f"{doc['_id']}#{doc.get('round', 0)}", "owner": owner, "at": now})
        except DuplicateKeyError:
            return False
        return True

    async def heartbeat(self, owner: str, now: datetime) -> None:
        """This instance is alive."""
        await self.dialers.update_one({"_id": owner}, {"$set": {"seen": now}}, upsert=True)

    async def dead_owners(self, *, silent_since: datetime) -> list[str]:
        """Instances that stopped sending heartbeats."""
        return [d["_id"] async for d in self.dialers.find({"seen": {"$lt": silent_since}})]

    async def forget_owner(self, owner: str) -> None:
        """A stopped instance whose calls were all adopted: its heartbeat record goes."""
        await self.dialers.delete_one({"_id": owner})

    async def stranded(self, *, owners: list[str]) -> list[Document]:
        """Calls still queued by instances that stopped, with their commands."""
        if not owners:
            return []
        found = []
        for shard in self.shards:
            found += [d async for d in shard.find({"status": "queued", "owner": {"$in": owners}})]
        for doc in found:
            stored = await self.commands.find_one({"_id": doc["_id"]})
            doc["command"] = stored["command"] if stored else None
        return [d for d in found if d["command"] is not None]

    async def placed_by(self, *, owners: list[str]) -> list[Document]:
        """Calls instances that stopped were dialing or placed, still without an outcome (ids, status and the
        instance)."""
        if not owners:
            return []
        query = {"status": {"$in": ["dialing", "placed"]}, "dialer": {"$in": owners}}
        fields = {"_id": 1, "call_id": 1, "dialer": 1, "outcome": 1, "status": 1}
        return [d for shard in self.shards async for d in shard.find(query, fields) if not d.get("outcome")]

    async def adopt(self, doc: Document, *, owner: str, now: datetime) -> bool:
        """Take over a stranded call: one adopter wins (an insert), and the call moves to a new round and
        owner, so the stopped instance's claim of the old round cannot collide with the new one."""
        try:
            claim = {"_id": f"{doc['_id']}#{doc.get('round', 0)}#adopted", "owner": owner, "at": now}
            await self.claims.insert_one(claim)
        except DuplicateKeyError:
            return False
        await self.collection(doc["_id"]).update_one(
            {"_id": doc["_id"]}, {"$set": {"owner": owner, "adopted_at": now}, "$inc": {"round": 1}}
        )
        doc["round"] = doc.get("round", 0) + 1
        doc["owner"] = owner
        return True

    async def prune_claims(self, *, before: datetime) -> int:
        """Forget claim records made before `before` whose call is final (a claim only settles who takes one
        round of a call that is still in the queue)."""

        async def open_calls(claims: list[Document]) -> set[str]:
            keys: dict[int, list[str]] = {}
            for claim in claims:
                key = claim["_id"].split("#")[0]
                keys.setdefault(self.shard_of(key), []).append(key)
            open_keys = set()
            for shard, wanted in keys.items():
                query = {"_id": {"$in": wanted}, "status": {"$in": ["queued", "dialing", "placed"]}}
                open_keys |= {d["_id"] async for d in self.shards[shard].find(query, {"_id": 1})}
            return {c["_id"] for c in claims if c["_id"].split("#")[0] in open_keys}

        return await prune_before(self.claims, field="at", before=before, keep=open_calls)

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
        # race: callers arbitrate first (claims, first_final); `expect` only guards a state already stored
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
            # race: a queued call a dialer claims meanwhile is stopped by the campaign hold checked before dialing
            result = await shard.update_many(
                {"campaign_id": campaign_id, "status": "queued"},
                {"$set": {"status": "canceled", "outcome": "canceled"}},
            )
            canceled += result.modified_count
        return canceled

    async def cancel_keys(self, keys: list[str], *, reason: str) -> int:
        """Cancel these calls if they are still queued (one statement per shard they are in)."""
        by_shard: dict[int, list[str]] = {}
        for key in keys:
            by_shard.setdefault(self.shard_of(key), []).append(key)
        canceled = 0
        for shard, wanted in by_shard.items():
            # race: a call claimed meanwhile is stopped by the opt-out check right before dialing
            result = await self.shards[shard].update_many(
                {"_id": {"$in": wanted}, "status": "queued"},
                {"$set": {"status": "canceled", "outcome": "canceled", "reason": reason}},
            )
            canceled += result.modified_count
        return canceled

    async def history(self, query: Document, *, after: tuple[datetime, str] | None, limit: int) -> list[Document]:
        """Calls matching `query`, newest first (queue time, then key), merged across shards; `after` is the
        (queue time, key) of the last call of the previous page."""
        query = {**query, **page_after("queued_at", after)}
        pages = [
            [d async for d in shard.find(query, {"outbox": 0}).sort([("queued_at", -1), ("_id", -1)]).limit(limit)]
            for shard in self.shards
        ]
        merged = heapq.merge(*pages, key=lambda d: (d["queued_at"], d["_id"]), reverse=True)
        return list(merged)[:limit]

    async def relay(self, key: str, entries: list[Document], bus: EventBus) -> None:
        """Publish a call's new outbox entries and clear them."""
        await relay(self.collection(key), key, entries, bus)

    async def outbox_of(self, key: str) -> list[Document]:
        """A call's outbox entries not yet published (read by `_id`)."""
        doc = await self.collection(key).find_one({"_id": key}, {"outbox": 1})
        return list((doc or {}).get("outbox") or [])

    async def each_shard(self) -> AsyncIterator[AsyncCollection[Document]]:
        """Every shard collection (for the outbox sweeper)."""
        for shard in self.shards:
            yield shard
