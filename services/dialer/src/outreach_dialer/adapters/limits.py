"""Limits every dialer instance shares through the database: the call pace, calls in flight per account
and per campaign, and campaign holds.

Every arbitration is an insert under a unique `_id`: the MongoDB-wire server (FerretDB on SQLite) does not
make conditional updates atomic between connections (measured: two clients claimed the same documents and
lost increments), but it does refuse a second document with the same `_id`. So a pace slot is a document
per slot number, and an in-flight slot is a document per slot index.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime, timedelta

from outreach_common.mongo import Document, insert_new
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from outreach_dialer.domain.pacing import first_free_slot, slot_time


class Limits:
    """Shared pace (slot reservations) and in-flight counters (semaphores)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.pace = db["pace_slots"]
        self.slots = db["in_flight_slots"]
        self.holds = db["campaign_holds"]
        self._last_slot: dict[str, int] = {}
        self._held: dict[str, list[int]] = {}
        self._mine: dict[str, set[int]] = {}  # slot indexes this instance holds, per key
        self._holds_cache: tuple[float, list[str]] = (0.0, [])
        self._rates: dict[str, float] = {}  # pace per account, for forgetting its slots
        self._forgotten: dict[str, int] = {}  # per account, slot numbers below this are deleted

    async def reserve_slot(self, account: str, rate: float, block: int = 4) -> float:
        """Reserve the next free dialing slot of the account (slot k is at k / rate seconds of wall-clock
        time); return the time to dial at. No two calls of any instance share a slot. Slots are reserved a
        few at a time (one insert of `block` documents; those another instance holds are skipped)."""
        held = self._held.setdefault(account, [])
        self._rates[account] = rate
        now_k = first_free_slot(time.time(), rate)
        while held and held[0] < now_k:
            held.pop(0)  # a reserved slot that went unused has passed
        while not held:
            start = first_free_slot(time.time(), rate, self._last_slot.get(account))
            wanted = [start + i for i in range(block)]
            docs = [{"_id": f"{account}:{k}", "at": datetime.now(UTC)} for k in wanted]
            won = [int(doc["_id"].rpartition(":")[2]) for doc in await insert_new(self.pace, docs)]
            self._last_slot[account] = wanted[-1]
            held.extend(won)
        return slot_time(held.pop(0), rate)

    async def forget_slots(self, older_than: timedelta = timedelta(minutes=2)) -> None:
        """Drop pace slots long past (keeps the collection small). Slot numbers are consecutive, so after a
        first sweep by age they are deleted by `_id`, a few at a time: a delete by age reads the whole
        collection and holds the database's write lock long enough to make calls miss their slots."""
        if not self._forgotten:
            # race: pace slots long past are read by no one; deleting one twice deletes nothing
            await self.pace.delete_many({"at": {"$lt": datetime.now(UTC) - older_than}})
        for account, rate in self._rates.items():
            upto = math.floor((time.time() - older_than.total_seconds()) * rate)
            start = self._forgotten.get(account, upto)
            for low in range(start, upto, 1000):
                ids = [f"{account}:{k}" for k in range(low, min(low + 1000, upto))]
                await self.pace.delete_many({"_id": {"$in": ids}})
            self._forgotten[account] = max(start, upto)

    async def acquire(self, key: str, limit: int, *, call: str | None = None, round_: int = 0) -> str | None:
        """One of `limit` in-flight slots of `key` (account or campaign) for round `round_` of `call`: the
        slot's id, or None when all are taken. Indexes this instance does not hold are tried first without
        reading; after a few collisions with other instances the taken ones are read."""
        mine = self._mine.setdefault(key, set())
        guesses = [i for i in range(limit) if i not in mine][:4]
        for attempt in range(2):
            for i in guesses:
                if i in mine:
                    continue  # taken meanwhile by another acquire of this instance
                mine.add(i)  # before the insert: acquires running at once here try distinct indexes
                slot = f"{key}#{i}"
                try:
                    doc = {"_id": slot, "key": key, "i": i, "at": datetime.now(UTC), "call": call, "round": round_}
                    await self.slots.insert_one(doc)
                except BaseException as exc:
                    mine.discard(i)
                    if isinstance(exc, DuplicateKeyError):
                        continue
                    raise
                return slot
            if attempt == 0:
                taken = {d["i"] async for d in self.slots.find({"key": key}, {"i": 1})}
                guesses = [i for i in range(limit) if i not in taken][:8]
        return None

    async def release(self, slot: str) -> None:
        """Give a slot back."""
        key, _, index = slot.rpartition("#")
        await self.slots.delete_one({"_id": slot})  # then this instance may guess that index again
        self._mine.get(key, set()).discard(int(index))

    async def taken(self, *, older_than: timedelta) -> list[Document]:
        """In-flight slots taken more than `older_than` ago (the collection holds one per call in flight)."""
        cutoff = datetime.now(UTC) - older_than
        return [d async for d in self.slots.find({}) if d["at"] < cutoff]

    async def in_flight(self, key: str) -> int:
        """Slots of `key` in use."""
        return await self.slots.count_documents({"key": key})

    async def full(self, prefix: str, limits: dict[str, int]) -> set[str]:
        """Campaign ids (keys `prefix` + id) whose slots are all in use."""
        counts: dict[str, int] = {}
        async for doc in self.slots.find({"key": {"$in": [prefix + c for c in limits]}}, {"key": 1}):
            counts[doc["key"]] = counts.get(doc["key"], 0) + 1
        return {c for c, limit in limits.items() if counts.get(prefix + c, 0) >= limit}

    async def held_campaigns(self, max_age_s: float = 0.5) -> list[str]:
        """Campaigns that are paused or stopped (re-read at most every `max_age_s`)."""
        at, held = self._holds_cache
        if time.monotonic() - at > max_age_s:
            held = [d["_id"] async for d in self.holds.find({}, {"_id": 1})]
            self._holds_cache = (time.monotonic(), held)
        return held

    async def hold(self, campaign_id: str, status: str) -> None:
        """Remember that a campaign is paused or stopped."""
        await self.holds.update_one({"_id": campaign_id}, {"$set": {"status": status}}, upsert=True)
        self._holds_cache = (0.0, [])

    async def release_hold(self, campaign_id: str) -> None:
        """Forget a pause."""
        # race: a stop that lands at once leaves `stopped` or nothing; queued calls were canceled by the stop
        await self.holds.delete_one({"_id": campaign_id, "status": "paused"})
        self._holds_cache = (0.0, [])
