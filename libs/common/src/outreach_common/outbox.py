"""Transactional outbox without transactions: messages are embedded in the document they come from.

The state change and its messages are written in one single-document update (`outbox` array); the relay
publishes them and pulls them out; a crash in between leaves them in place, and the sweeper republishes.
Consumers are idempotent (event ids, idempotency keys), so a republished message has no second effect.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from outreach_contracts.registry import ANY_MESSAGE
from pymongo.asynchronous.collection import AsyncCollection

from outreach_common.journey import stamped
from outreach_common.kafka import EventBus

logger = logging.getLogger(__name__)


def outbox_entry(message: Any, *, topic: str, key: str, at: datetime | None = None) -> dict[str, Any]:
    """An outbox entry for `message` to embed in a document's `outbox` array.

    `at` is operational wall-clock time (default: now), never the injected business clock: the sweeper judges
    staleness by it, and a virtual clock that jumps ahead must not make fresh entries look abandoned.
    """
    message = stamped(message)  # the active span's context rides along to whenever the entry is published
    at = at or datetime.now(UTC)
    # BSON keeps milliseconds; the entry must equal its stored form, since FerretDB's $pull only removes
    # exact values (no conditions), and `relay` removes entries by value.
    at = at.replace(microsecond=at.microsecond // 1000 * 1000)
    return {
        "id": str(message.event_id),
        "topic": topic,
        "key": key,
        "at": at,
        "payload": message.model_dump(mode="json"),
    }


async def publish(entries: list[dict[str, Any]], bus: EventBus) -> None:
    """Publish outbox entries in order (one contact's messages stay in order)."""
    await bus.publish_many([(ANY_MESSAGE.validate_python(e["payload"]), e["topic"], e["key"]) for e in entries])


async def relay(
    collection: AsyncCollection[dict[str, Any]], doc_id: Any, entries: list[dict[str, Any]], bus: EventBus
) -> None:
    """Publish `entries` of document `doc_id`, then remove them from its outbox."""
    await publish(entries, bus)
    if entries:
        await collection.update_one({"_id": doc_id}, {"$pullAll": {"outbox": entries}})


async def sweep(
    collection: AsyncCollection[dict[str, Any]],
    bus: EventBus,
    *,
    now: datetime | None = None,
    older_than: timedelta = timedelta(seconds=10),
    limit: int = 500,
) -> int:
    """Republish outbox entries a crash left behind; return how many documents were swept."""
    now = now or datetime.now(UTC)
    swept = 0
    cursor = collection.find({"outbox.at": {"$lt": now - older_than}}, {"outbox": 1}).limit(limit)
    async for doc in cursor:
        stale = [e for e in doc.get("outbox", []) if e["at"] < now - older_than]
        try:
            await relay(collection, doc["_id"], stale, bus)
            swept += 1
        except Exception:
            logger.exception("outbox sweep failed for %s", doc["_id"])
    return swept


class PendingOutbox:
    """Messages written to a collection of their own before the state change they announce, for changes
    that touch many documents or documents too large to sweep (a do-not-call list of millions).

    Order: `hold` the messages, make the change (idempotently), then `release` them (publish and delete).
    A crash anywhere leaves either nothing done (the caller's retry does it all) or the messages held, which
    `sweep` publishes; the consumers of an opt-out apply it idempotently, so a message published for a
    change that did not complete still has its effect."""

    def __init__(self, collection: AsyncCollection[dict[str, Any]]) -> None:
        self.collection = collection

    async def hold(self, entries: list[dict[str, Any]]) -> None:
        """Persist `entries` (from `outbox_entry`) before the change."""
        if entries:
            await self.collection.insert_many([{"_id": e["id"], **e} for e in entries], ordered=False)

    async def release(self, entries: list[dict[str, Any]], bus: EventBus) -> None:
        """Publish `entries` and forget them."""
        if entries:
            await publish(entries, bus)
            await self.forget(entries)

    async def forget(self, entries: list[dict[str, Any]]) -> None:
        """Drop held entries the change turned out not to need (a number already on the list)."""
        if entries:
            await self.collection.delete_many({"_id": {"$in": [e["id"] for e in entries]}})

    async def sweep(
        self, bus: EventBus, *, now: datetime | None = None, older_than: timedelta = timedelta(seconds=10)
    ) -> int:
        """Publish what a crash left held; how many messages."""
        now = now or datetime.now(UTC)
        stale = [
            {k: v for k, v in d.items() if k != "_id"}
            async for d in self.collection.find({"at": {"$lt": now - older_than}}).sort("at", 1).limit(500)
        ]
        await self.release(stale, bus)
        return len(stale)
