"""Opt-outs the dialer has heard of (every channel's `ContactOptedOut`), one document per workspace and
number, read by `_id` right before a call is placed."""

from __future__ import annotations

from datetime import datetime

from outreach_common.mongo import Document
from pymongo.asynchronous.database import AsyncDatabase


class OptOutRepository:
    """Numbers that must not be called, per workspace."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["opt_outs"]

    @staticmethod
    def _id(workspace_id: str, phone: str) -> str:
        return f"{workspace_id}:{phone}"

    async def record(self, workspace_id: str, phone: str, *, channel: str, at: datetime) -> None:
        """Remember an opt-out (a repeat changes nothing)."""
        await self.collection.update_one(
            {"_id": self._id(workspace_id, phone)},
            {"$setOnInsert": {"workspace_id": workspace_id, "phone": phone, "channel": channel, "at": at}},
            upsert=True,
        )

    async def contains(self, workspace_id: str, phone: str) -> bool:
        """True when the number opted out in this workspace."""
        return await self.collection.find_one({"_id": self._id(workspace_id, phone)}, {"_id": 1}) is not None
