"""Limits every dialer instance shares through the database: the call pace, calls in flight per account
and per campaign, and campaign holds. Each is one tiny document changed by a conditional update."""

from __future__ import annotations

import contextlib
import time

from outreach_common.mongo import Document
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from outreach_dialer.domain.pacing import next_slot


class Limits:
    """Shared pace (slot reservations) and in-flight counters (semaphores)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.pace = db["pace"]
        self.slots = db["in_flight"]
        self.holds = db["campaign_holds"]

    async def reserve_slot(self, account: str, rate: float) -> float:
        """Reserve the next dialing slot for the account; return the wall-clock time to dial at."""
        interval = 1.0 / rate
        while True:
            doc = await self.pace.find_one({"_id": account})
            start, tat = next_slot(doc["tat"] if doc else None, time.time(), interval)
            if doc is None:
                try:
                    await self.pace.insert_one({"_id": account, "tat": tat})
                    return start
                except DuplicateKeyError:
                    continue
            result = await self.pace.update_one({"_id": account, "tat": doc["tat"]}, {"$set": {"tat": tat}})
            if result.modified_count == 1:
                return start

    async def acquire(self, key: str, limit: int) -> bool:
        """Take one of `limit` in-flight slots of `key` (account or campaign); False when all are taken."""
        with contextlib.suppress(DuplicateKeyError):  # two instances created it at once
            await self.slots.update_one({"_id": key}, {"$setOnInsert": {"n": 0}}, upsert=True)
        result = await self.slots.update_one({"_id": key, "n": {"$lt": limit}}, {"$inc": {"n": 1}})
        return result.modified_count == 1

    async def release(self, key: str) -> None:
        """Give a slot back."""
        await self.slots.update_one({"_id": key, "n": {"$gt": 0}}, {"$inc": {"n": -1}})

    async def in_flight(self, key: str) -> int:
        """Slots of `key` in use."""
        doc = await self.slots.find_one({"_id": key})
        return int(doc["n"]) if doc else 0

    async def full(self, prefix: str, limits: dict[str, int]) -> set[str]:
        """Campaign ids (keys `prefix` + id) whose slots are all in use."""
        docs = [d async for d in self.slots.find({"_id": {"$in": [prefix + c for c in limits]}})]
        return {d["_id"][len(prefix) :] for d in docs if d["n"] >= limits[d["_id"][len(prefix) :]]}

    async def held_campaigns(self) -> list[str]:
        """Campaigns that are paused or stopped."""
        return [d["_id"] async for d in self.holds.find({}, {"_id": 1})]

    async def hold(self, campaign_id: str, status: str) -> None:
        """Remember that a campaign is paused or stopped."""
        await self.holds.update_one({"_id": campaign_id}, {"$set": {"status": status}}, upsert=True)

    async def release_hold(self, campaign_id: str) -> None:
        """Forget a pause."""
        await self.holds.delete_one({"_id": campaign_id, "status": "paused"})
