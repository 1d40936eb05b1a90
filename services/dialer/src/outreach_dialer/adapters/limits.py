"""Limits every dialer instance shares through the database: the call pace, calls in flight per account
and per campaign, and campaign holds.

Every arbitration is an insert under a unique `_id`: the MongoDB-wire server (FerretDB on SQLite) does not
make conditional updates atomic between connections (measured: two clients claimed the same documents and
lost increments), but it does refuse a second document with the same `_id`. So a pace slot is a document
per slot number, and an in-flight slot is a document per slot index, leased by one instance.

In-flight slots are leased in blocks: an instance inserts a few slot documents at once, hands them to its
calls in memory (taking and giving back a slot writes nothing), and returns the ones it has not used for a
while. A lease lasts as long as its instance's heartbeat: the leases of an instance that stopped are reaped
(`reap_owners`), so a crash never keeps a slot.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from outreach_common.mongo import Document, insert_new
from pymongo.asynchronous.database import AsyncDatabase

from outreach_dialer.domain.pacing import first_free_slot, lease_block, slot_time

logger = logging.getLogger(__name__)


class Limits:
    """Shared pace (slot reservations), in-flight slot leases (semaphores) and campaign holds."""

    def __init__(self, db: AsyncDatabase[Document], owner: str = "") -> None:
        self.pace = db["pace_slots"]
        self.slots = db["in_flight_slots"]
        self.holds = db["campaign_holds"]
        self.owner = owner
        self._last_slot: dict[str, int] = {}
        self._held: dict[str, list[int]] = {}
        self._free: dict[str, dict[int, float]] = {}  # leased and unused, per key: index -> since (monotonic)
        self._used: dict[str, float] = {}  # slot id -> taken at (monotonic)
        self._exhausted: dict[str, float] = {}  # key -> until when leasing more is not tried again
        self._holds_cache: tuple[float, list[str]] = (0.0, [])
        self._rates: dict[str, float] = {}  # pace per account, for forgetting its slots
        self._forgotten: dict[str, int] = {}  # per account, slot numbers below this are deleted
        self._locks: dict[str, asyncio.Lock] = {}  # per account: one insert of pace slots at a time
        self._background: set[asyncio.Task[None]] = set()

    async def reserve_slot(self, account: str, rate: float, block: int = 0) -> float:
        """Reserve the next free dialing slot of the account (slot k is at k / rate seconds of wall-clock
        time); return the time to dial at. No two calls of any instance share a slot. Slots are reserved a
        block at a time (one insert; those another instance holds are skipped), a quarter second's worth,
        and the next block is reserved in the background once half of one is left: calls do not wait on
        that insert, and callers that find no slot wait on one insert instead of racing with their own for
        the same slots (on a slow database each lost race cost a round trip, and slots came back passed)."""
        block = block or max(4, math.ceil(rate / 4))
        held = self._held.setdefault(account, [])
        self._rates[account] = rate
        while True:
            now_k = first_free_slot(time.time(), rate)
            while held and held[0] < now_k:
                held.pop(0)  # a reserved slot that went unused has passed
            if held:
                slot = held.pop(0)
                if len(held) < block // 2 and not self._reserving(account).locked():
                    self._in_background(self._reserve_block(account, rate, block))
                return slot_time(slot, rate)
            await self._reserve_block(account, rate, block)

    async def _reserve_block(self, account: str, rate: float, block: int) -> None:
        """Insert the account's next block of slots, one insert at a time (nothing when another caller's
        insert left enough)."""
        held = self._held[account]
        async with self._reserving(account):
            if len([k for k in held if k >= first_free_slot(time.time(), rate)]) >= max(1, block // 2):
                return
            start = first_free_slot(time.time(), rate, self._last_slot.get(account))
            wanted = [start + i for i in range(block)]
            docs = [{"_id": f"{account}:{k}", "at": datetime.now(UTC)} for k in wanted]
            won = [int(doc["_id"].rpartition(":")[2]) for doc in await insert_new(self.pace, docs)]
            self._last_slot[account] = wanted[-1]
            held.extend(won)

    def _reserving(self, account: str) -> asyncio.Lock:
        return self._locks.setdefault(account, asyncio.Lock())

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._settled)

    def _settled(self, task: asyncio.Task[None]) -> None:
        self._background.discard(task)
        if not task.cancelled() and task.exception() is not None:  # the next caller without a slot tries again
            logger.warning("reserving pace slots ahead failed: %s", task.exception())

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

    async def acquire(self, key: str, limit: int) -> str | None:
        """One of `limit` in-flight slots of `key` (account or campaign): the slot's id, or None when all are
        taken. A slot this instance leases and does not use is taken without a write; otherwise a block of
        indexes no one leases is leased with one insert (the taken ones are read after a collision)."""
        free = self._free.setdefault(key, {})
        if not free and time.monotonic() >= self._exhausted.get(key, 0.0):
            await self._lease(key, limit)
        if not free:
            self._exhausted[key] = time.monotonic() + 0.5
            return None
        index = min(free)
        del free[index]
        slot = f"{key}#{index}"
        self._used[slot] = time.monotonic()
        return slot

    async def _lease(self, key: str, limit: int) -> None:
        mine = self._free[key].keys() | {int(s.rpartition("#")[2]) for s in self._used if s.rpartition("#")[0] == key}
        block = lease_block(limit)
        guesses = [i for i in range(limit) if i not in mine][:block]
        if not guesses:
            return  # every slot is leased here, and in use
        for attempt in range(2):
            at = datetime.now(UTC)
            docs = [{"_id": f"{key}#{i}", "key": key, "i": i, "owner": self.owner, "at": at} for i in guesses]
            won = await insert_new(self.slots, docs)
            if won:
                self._free[key].update({d["i"]: time.monotonic() for d in won})
                return
            if attempt == 0:
                taken = {d["i"] async for d in self.slots.find({"key": key}, {"i": 1})} | mine
                guesses = [i for i in range(limit) if i not in taken][:block]
                if not guesses:
                    return

    async def release(self, slot: str) -> None:
        """Give a slot back to this instance's leases (a write only when the lease is returned)."""
        if self._used.pop(slot, None) is None:
            return  # given back before (a retried path) or reaped
        key, _, index = slot.rpartition("#")
        self._free.setdefault(key, {})[int(index)] = time.monotonic()
        self._exhausted.pop(key, None)

    async def return_idle(self, idle_s: float = 5.0) -> int:
        """Return leases this instance has not used for `idle_s` (one delete per key), so other instances
        can take them; how many."""
        returned = 0
        now = time.monotonic()
        for key, free in self._free.items():
            idle = [i for i, since in free.items() if now - since >= idle_s]
            if idle:
                await self.slots.delete_many({"_id": {"$in": [f"{key}#{i}" for i in idle]}})
                for i in idle:
                    del free[i]
                returned += len(idle)
        return returned

    async def reap_owners(self, live: list[str], *, older_than: timedelta) -> int:
        """Delete the leases of instances not in `live` (their heartbeats stopped), taken more than
        `older_than` ago; how many."""
        cutoff = datetime.now(UTC) - older_than
        stale = [d["_id"] async for d in self.slots.find({}, {"owner": 1, "at": 1})
                 if d.get("owner") not in live and d["at"].replace(tzinfo=UTC) < cutoff]  # fmt: skip
        if stale:
            await self.slots.delete_many({"_id": {"$in": stale}})
        return len(stale)

    def overdue(self, *, older_than_s: float) -> list[str]:
        """Slots this instance's calls have held for more than `older_than_s`."""
        now = time.monotonic()
        return [slot for slot, at in self._used.items() if now - at > older_than_s]

    async def in_flight(self, key: str) -> int:
        """Slots of `key` this instance's calls are using."""
        return sum(1 for slot in self._used if slot.rpartition("#")[0] == key)

    async def full(self, prefix: str, limits: dict[str, int]) -> set[str]:
        """Campaign ids (keys `prefix` + id) with no slot to give now: none leased free here, and every one
        in use here or leasing more was refused a moment ago."""
        now = time.monotonic()
        full = set()
        for campaign, limit in limits.items():
            key = prefix + campaign
            if self._free.get(key):
                continue
            if await self.in_flight(key) >= limit or now < self._exhausted.get(key, 0.0):
                full.add(campaign)
        return full

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
