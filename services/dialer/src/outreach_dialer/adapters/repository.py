"""Calls (the dial queue and call history), agents and campaign holds in the dialer's database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach_common.mongo import Document, IndexSpec
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

INDEXES = [
    IndexSpec("calls", [("status", 1), ("queued_at", 1)], name="queue"),
    IndexSpec("calls", [("provider_sid", 1)], name="by_sid"),
    IndexSpec("calls", [("campaign_id", 1), ("queued_at", -1)], name="by_campaign"),
    IndexSpec("calls", [("outbox.at", 1)], name="outbox"),
]


class CallRepository:
    """One document per PlaceCall idempotency key: the queue entry and then the call's history."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["calls"]
        self.holds = db["campaign_holds"]

    async def enqueue(self, doc: Document) -> bool:
        """Queue a call; False when the idempotency key was seen before."""
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def claim_next(self, *, held: list[str], now: datetime) -> Document | None:
        """Atomically take the oldest queued call of a campaign that is not held."""
        return await self.collection.find_one_and_update(
            {"status": "queued", "campaign_id": {"$nin": held}},
            {"$set": {"status": "dialing", "dialing_at": now}},
            sort=[("queued_at", 1)],
            return_document=ReturnDocument.AFTER,
        )

    async def update(
        self, key: str, *, expect: dict[str, Any], changes: Document, push: dict[str, Any] | None = None
    ) -> Document | None:
        """Conditional update of one call; None when `expect` no longer holds."""
        update: dict[str, Any] = {"$set": changes}
        if push:
            update["$push"] = push
        return await self.collection.find_one_and_update(
            {"_id": key, **expect}, update, return_document=ReturnDocument.AFTER
        )

    async def by_id(self, call_id: str) -> Document | None:
        """A call by the dialer's call id."""
        return await self.collection.find_one({"call_id": call_id})

    async def held_campaigns(self) -> list[str]:
        """Campaigns that are paused or stopped."""
        return [d["_id"] async for d in self.holds.find({}, {"_id": 1})]

    async def hold(self, campaign_id: str, status: str) -> None:
        """Remember that a campaign is paused or stopped."""
        await self.holds.update_one({"_id": campaign_id}, {"$set": {"status": status}}, upsert=True)

    async def release(self, campaign_id: str) -> None:
        """Forget a pause."""
        await self.holds.delete_one({"_id": campaign_id, "status": "paused"})

    async def cancel_queued(self, campaign_id: str) -> int:
        """Cancel a stopped campaign's queued calls."""
        result = await self.collection.update_many(
            {"campaign_id": campaign_id, "status": "queued"}, {"$set": {"status": "canceled", "outcome": "canceled"}}
        )
        return result.modified_count
