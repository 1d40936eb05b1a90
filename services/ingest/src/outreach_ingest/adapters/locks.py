"""One import at a time per campaign: a lease in ingest's database, shared by every ingest replica."""

from __future__ import annotations

from datetime import datetime, timedelta

from outreach_common.mongo import Document
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError


class CampaignLocks:
    """`import_locks`: `{_id: "<workspace>|<campaign>", holder, until}`. A holder (one run of one import)
    keeps its lease by renewing it; a crashed run's lease lapses at `until`, then another run may take it."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["import_locks"]

    async def acquire(self, key: str, holder: str, now: datetime, lease: timedelta) -> str | None:
        """Take the lock for `holder`; None when taken, else the holder that has it."""
        try:
            await self.collection.insert_one({"_id": key, "holder": holder, "until": now + lease})
            return None
        except DuplicateKeyError:
            pass
        lapsed = {"_id": key, "$or": [{"holder": holder}, {"until": {"$lt": now}}]}
        # race: two runs taking over one lapsed lease may both match; each run renews every third of the
        # lease and stops when its renewal finds another holder (`LockLostError`), so one goes on
        taken = await self.collection.update_one(lapsed, {"$set": {"holder": holder, "until": now + lease}})
        if taken.matched_count:
            return None
        found = await self.collection.find_one({"_id": key})
        return str(found["holder"]) if found else await self.acquire(key, holder, now, lease)

    async def renew(self, key: str, holder: str, now: datetime, lease: timedelta) -> bool:
        """Extend `holder`'s lease; False when it no longer holds the lock."""
        # race: only the holder renews; a takeover in between is seen at the next renewal
        found = await self.collection.update_one({"_id": key, "holder": holder}, {"$set": {"until": now + lease}})
        return found.matched_count == 1

    async def release(self, key: str, holder: str) -> None:
        """Give the lock up (nothing when `holder` no longer has it)."""
        # race: a lease is taken over only once lapsed, long after its holder stopped renewing and releasing
        await self.collection.delete_one({"_id": key, "holder": holder})
