"""The workspace's do-not-call list in ingest's database (one document per workspace and number)."""

from __future__ import annotations

from typing import Any

from outreach_common.mongo import Document, IndexSpec
from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

INDEXES = [IndexSpec("dnc", [("workspace_id", 1), ("phone", 1)], name="dnc_by_phone")]


def entry_id(workspace_id: str, phone: str) -> str:
    """One entry per workspace and number."""
    return f"{workspace_id}:{phone}"


class SuppressionRepository:
    """Do-not-call entries: phone, source (`api`, `import`, `opt_out:sms`, ...), reason, when."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["dnc"]

    async def add_many(self, docs: list[Document]) -> set[str]:
        """Insert entries that are not on the list yet; return the phones that were new."""
        if not docs:
            return set()
        ops = [UpdateOne({"_id": d["_id"]}, {"$setOnInsert": d}, upsert=True) for d in docs]
        result = await self.collection.bulk_write(ops, ordered=False)
        # By the ids upserted, not their positions: FerretDB numbers the upserts among themselves (the first
        # new entry of [listed, new] comes back as index 0), which named the wrong number as the new one.
        phone_of = {d["_id"]: d["phone"] for d in docs}
        return {phone_of[i] for i in (result.upserted_ids or {}).values()}

    async def matching(self, workspace_id: str, phones: list[str]) -> dict[str, str]:
        """Phones among `phones` on the list -> the entry's source."""
        if not phones:
            return {}
        ids = [entry_id(workspace_id, p) for p in set(phones)]
        return {d["phone"]: d["source"] async for d in self.collection.find({"_id": {"$in": ids}})}

    async def all_of(self, workspace_id: str) -> dict[str, str]:
        """Every number on the workspace's list -> its source (read once per import job)."""
        return {d["phone"]: d["source"] async for d in self.collection.find({"workspace_id": workspace_id})}

    async def get(self, workspace_id: str, phone: str) -> Document | None:
        """One entry."""
        return await self.collection.find_one({"_id": entry_id(workspace_id, phone)})

    async def remove(self, workspace_id: str, phone: str) -> bool:
        """Take a number off the list; False when it was not on it."""
        result = await self.collection.delete_one({"_id": entry_id(workspace_id, phone)})
        return result.deleted_count == 1

    async def page(self, workspace_id: str, *, after: str | None, limit: int) -> list[Document]:
        """Entries in id order, `limit` at a time after the id `after`."""
        query: dict[str, Any] = {"workspace_id": workspace_id}
        if after:
            query["_id"] = {"$gt": after}
        return [d async for d in self.collection.find(query).sort("_id", 1).limit(limit)]
