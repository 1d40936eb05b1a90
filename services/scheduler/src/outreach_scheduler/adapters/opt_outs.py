"""Numbers that opted out (any channel, or the do-not-call list), so later enrollments exit at once."""

from __future__ import annotations

from datetime import datetime

from outreach_common.mongo import Document
from pymongo.asynchronous.database import AsyncDatabase


class OptOutRepository:
    """One document per workspace and number."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["opt_outs"]

    async def record(self, workspace_id: str, phone: str, *, channel: str, at: datetime) -> None:
        """Remember an opt-out (idempotent)."""
        await self.collection.update_one(
            {"_id": f"{workspace_id}:{phone}"},
            {"$setOnInsert": {"workspace_id": workspace_id, "phone": phone, "channel": channel, "at": at}},
            upsert=True,
        )

    async def among(self, workspace_id: str, phones: list[str]) -> set[str]:
        """The numbers among `phones` that opted out in this workspace (one read by `_id`)."""
        ids = [f"{workspace_id}:{p}" for p in set(phones)]
        found = self.collection.find({"_id": {"$in": ids}}, {"_id": 1})
        return {d["_id"].split(":", 1)[1] async for d in found}

    async def contains(self, workspace_id: str, phone: str) -> bool:
        """True when the number opted out in this workspace."""
        return await self.collection.find_one({"_id": f"{workspace_id}:{phone}"}, {"_id": 1}) is not None
