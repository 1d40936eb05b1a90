"""Calls (the dial queue's record and the call history), spread over small shard collections.

The MongoDB-wire server's SQLite backend reads a whole collection on every query that is not by `_id`, so
calls are spread by a hash of their idempotency key over `shards` collections (`calls_000` ...), and the
call id carries its shard, so webhooks find a call in one collection. A call costs three writes: its record
with the command (queued), its claim (`call_claims`, right before the provider is asked: who dials it, with
what caller id), and its final state (outcome, caller id, provider id, status trail), written after its
event was published; its progress in between lives in the dialing instance's memory. Its entry in the
history's order (`call_history`) is written with the others queued in the same quarter second.
"""

from __future__ import annotations

import asyncio
import uuid
import zlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from outreach_common.kafka import EventBus
from outreach_common.mongo import Document, IndexSpec
from outreach_common.outbox import relay
from outreach_common.retention import prune_before
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from outreach_dialer.adapters.call_history import FIXED, CallHistory, number_of
from outreach_dialer.adapters.call_ownership import CallOwnership

SHARDS = 128


def _claimed(claim: Document) -> Document:
    """What a dial claim tells about its call."""
    fields = {"status": "dialing", "dialer": claim.get("owner"), "dialing_at": claim.get("at")}
    return fields | {k: claim[k] for k in ("from_number", "dialing_wall") if claim.get(k)}


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


class CallStore(CallOwnership):
    """One document per PlaceCall idempotency key: the queue entry, then the call's history."""

    def __init__(self, db: AsyncDatabase[Document], shards: int = SHARDS) -> None:
        self.shards: list[AsyncCollection[Document]] = [db[f"calls_{i:03d}"] for i in range(shards)]
        self.claims = db["call_claims"]
        self.dialers = db["dialers"]
        self.log = CallHistory(db["call_history"])

    def shard_of(self, key: str) -> int:
        """Shard of an idempotency key."""
        return zlib.crc32(key.encode()) % len(self.shards)

    def by_shard(self, keys: list[str]) -> dict[int, list[str]]:
        """`keys` grouped by the shard each is in."""
        grouped: dict[int, list[str]] = {}
        for key in keys:
            grouped.setdefault(self.shard_of(key), []).append(key)
        return grouped

    def collection(self, key: str) -> AsyncCollection[Document]:
        """The collection holding the call with this idempotency key."""
        return self.shards[self.shard_of(key)]

    def new_call_id(self, key: str) -> str:
        """A call id that names its shard."""
        return f"call_{self.shard_of(key):03d}_{uuid.uuid4().hex[:16]}"

    async def enqueue(self, doc: Document) -> bool:
        """Record a queued call, its command inside (`command`, as JSON: read only to adopt the call); False
        when the idempotency key was seen before. One insert: the call's only write until it is dialed."""
        try:
            await self.collection(doc["_id"]).insert_one(doc)
        except DuplicateKeyError:
            return False
        self.log.add(doc)
        return True

    async def stranded(self, *, owners: list[str]) -> list[Document]:
        """Calls still queued by instances that stopped and never claimed for dialing, commands inside."""
        if not owners:
            return []
        found = []
        for shard in self.shards:
            found += [d async for d in shard.find({"status": "queued", "owner": {"$in": owners}}, {"trail": 0})]
        claimed = {c["_id"] async for c in self.claims.find({"_id": {"$in": [d["_id"] for d in found]}}, {"_id": 1})}
        return [d for d in found if d["_id"] not in claimed and d.get("command")]

    async def dialing_by(self, *, owners: list[str]) -> list[Document]:
        """Calls instances that stopped claimed for dialing and that have no outcome yet: the call with its
        claim's fields (`dialer`, `from_number`, `dialing_wall`)."""
        if not owners:
            return []
        claims = {c["_id"]: c async for c in self.claims.find({"owner": {"$in": owners}, "call_id": {"$exists": True}})}
        calls = await self._by_keys(list(claims), {"command": 0, "trail": 0})
        return [{**doc, **_claimed(claims[doc["_id"]])} for doc in calls if not doc.get("outcome")]

    async def prune_claims(self, *, before: datetime) -> int:
        """Forget claim records made before `before` whose call is final (a claim only settles who takes one
        round of a call that is still in the queue)."""

        async def open_calls(claims: list[Document]) -> set[str]:
            open_keys = set()
            for shard, wanted in self.by_shard([c["_id"].split("#")[0] for c in claims]).items():
                query = {"_id": {"$in": wanted}, "status": {"$in": ["queued", "dialing", "placed"]}}
                open_keys |= {d["_id"] async for d in self.shards[shard].find(query, {"_id": 1})}
            return {c["_id"] for c in claims if c["_id"].split("#")[0] in open_keys}

        return await prune_before(self.claims, field="at", before=before, keep=open_calls)

    async def requeue(self, key: str, reason: str) -> None:
        """A call taken from the queue goes back to it (no number or no slot yet): why it waits."""
        await self.collection(key).update_one({"_id": key}, {"$set": {"status": "queued", "waiting": reason}})

    async def update(
        self, key: str, *, expect: dict[str, Any], changes: Document, push: dict[str, Any] | None = None
    ) -> Document | None:
        """Conditional update of one call; None when `expect` no longer holds. A call whose history entry is
        still waiting gets it first (this may be its final state)."""
        if self.log.waiting(key):
            await self.log.flush()
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

    async def _by_keys(self, keys: list[str], fields: Document | None = None) -> list[Document]:
        """Calls by key, their shards read at once."""

        async def read(shard: int, wanted: list[str]) -> list[Document]:
            return [d async for d in self.shards[shard].find({"_id": {"$in": wanted}}, fields)]

        found = await asyncio.gather(*(read(shard, wanted) for shard, wanted in self.by_shard(keys).items()))
        return [doc for part in found for doc in part]

    async def with_claims(self, docs: list[Document]) -> list[Document]:
        """`docs` with the claims of those still recorded as queued: a call being dialed or on the line
        shows `dialing` and its caller id (its progress is written with its final state)."""
        queued = [d["_id"] for d in docs if d.get("status") == "queued"]
        if not queued:
            return docs
        claims = {c["_id"]: c async for c in self.claims.find({"_id": {"$in": queued}, "call_id": {"$exists": True}})}
        return [{**d, **_claimed(claims[d["_id"]])} if d["_id"] in claims else d for d in docs]

    async def by_id(self, call_id: str) -> Document | None:
        """A call by the dialer's call id."""
        try:
            shard = int(call_id.split("_")[1])
        except (IndexError, ValueError):
            return None
        if not 0 <= shard < len(self.shards):
            return None
        doc = await self.shards[shard].find_one({"call_id": call_id})
        return (await self.with_claims([doc]))[0] if doc else None

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
        canceled = 0
        for shard, wanted in self.by_shard(keys).items():
            # race: a call claimed meanwhile is stopped by the opt-out check right before dialing
            result = await self.shards[shard].update_many(
                {"_id": {"$in": wanted}, "status": "queued"},
                {"$set": {"status": "canceled", "outcome": "canceled", "reason": reason}},
            )
            canceled += result.modified_count
        return canceled

    async def history(
        self, workspace_id: str, filters: dict[str, str], *, before: int | None, limit: int, budget: int = 20_000
    ) -> tuple[list[Document], int | None]:
        """A page of the workspace's calls that match `filters`, newest first (in the order they were
        recorded), below the number `before` (None: from the newest); and the number the next page starts
        below (None: nothing older). A page reads blocks of numbers until it is full or `budget` numbers were
        read, so a rare filter's page may come back short, with where to go on."""
        fixed = {k: v for k, v in filters.items() if k in FIXED}
        rest = {k: v for k, v in filters.items() if k not in FIXED}
        top = before - 1 if before is not None else await self.log.head(workspace_id)
        found: list[Document] = []
        read = 0
        while top >= 1 and read < budget:
            size = min(top, budget - read, 500 if rest else max(limit, 100))
            entries = await self.log.block(workspace_id, fixed, top=top, size=size)
            if not rest:
                entries = entries[: limit - len(found)]
            docs = await self._by_keys([e["key"] for e in entries], {"outbox": 0, "command": 0})
            calls = {d["_id"]: d for d in await self.with_claims(docs)}
            for entry in entries:
                call = calls.get(entry["key"])
                if call is None or any(call.get(k) != v for k, v in rest.items()):
                    continue
                found.append(call)
                if len(found) == limit:
                    return found, number_of(entry)
            top -= size
            read += size
        return found, (top + 1 if top >= 1 else None)

    async def relay(self, key: str, entries: list[Document], bus: EventBus) -> None:
        """Publish a call's new outbox entries and clear them."""
        await relay(self.collection(key), key, entries, bus)

    async def outbox_of(self, key: str) -> list[Document]:
        """A call's outbox entries not yet published (read by `_id`)."""
        doc = await self.collection(key).find_one({"_id": key}, {"outbox": 1})
        return list((doc or {}).get("outbox") or [])

    async def clear_outboxes(self, keys: list[str]) -> None:
        """Empty the outboxes of these calls (their events were published), one statement per shard."""
        for shard, wanted in self.by_shard(keys).items():
            await self.shards[shard].update_many({"_id": {"$in": wanted}}, {"$set": {"outbox": []}})

    async def each_shard(self) -> AsyncIterator[AsyncCollection[Document]]:
        """Every shard collection (for the outbox sweeper)."""
        for shard in self.shards:
            yield shard
