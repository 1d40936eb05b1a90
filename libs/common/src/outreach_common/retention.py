"""Pruning records kept only for a while (arbitration logs, claims): found by age a batch at a time and
deleted by `_id`, so the databases do not grow without bound.

The MongoDB-wire server reads a whole collection for a filtered delete, and as often for a filtered find
that matches little; so each round reads one bounded batch of old records (`limit`), asks the owner which
of them must stay, and deletes the others by `_id` in one statement."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from pymongo.asynchronous.collection import AsyncCollection

from outreach_common.mongo import Document

Keep = Callable[[list[Document]], Awaitable[set[str]]]


async def prune_before(
    collection: AsyncCollection[Document],
    *,
    field: str,
    before: datetime,
    keep: Keep | None = None,
    batch: int = 2000,
    rounds: int = 20,
) -> int:
    """Delete records whose `field` is before `before`, except the ids `keep` names; how many went. At most
    `rounds` batches a call (the loop that calls it comes back for the rest)."""
    removed = 0
    kept: set[str] = set()
    for _ in range(rounds):
        query: Document = {field: {"$lt": before}}
        if kept:
            query["_id"] = {"$nin": sorted(kept)}
        docs = [d async for d in collection.find(query).limit(batch)]
        if not docs:
            break
        kept |= await keep(docs) if keep else set()
        gone = [d["_id"] for d in docs if d["_id"] not in kept]
        if gone:
            # race: only records no reader or writer needs any more are old enough to be found here
            removed += (await collection.delete_many({"_id": {"$in": gone}})).deleted_count
        if len(docs) < batch:
            break
    return removed
