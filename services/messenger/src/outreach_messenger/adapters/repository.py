"""The message log (one document per command idempotency key) and campaign holds."""

from __future__ import annotations

from typing import Any

from outreach_common.mongo import Document, IndexSpec
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

INDEXES = [
    IndexSpec("messages", [("provider_id", 1)], name="by_provider_id"),
    IndexSpec("messages", [("outbox.at", 1)], name="outbox"),
    IndexSpec("suppressions", [("workspace_id", 1), ("phone", 1)], name="by_phone"),
]


class MessageRepository:
    """Messages with their status trail."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["messages"]
        self.holds = db["campaign_holds"]
        self.suppressions = db["suppressions"]

    async def claim(self, doc: Document) -> bool:
        """Record a command before sending; False when its key was seen (never send twice)."""
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def update(self, key: str, changes: Document, push: dict[str, Any] | None = None) -> Document | None:
        """Update one message."""
        update: dict[str, Any] = {"$set": changes}
        if push:
            update["$push"] = push
        return await self.collection.find_one_and_update({"_id": key}, update, return_document=ReturnDocument.AFTER)

    async def is_held(self, campaign_id: str) -> bool:
        """True when the campaign is paused or stopped."""
        return await self.holds.count_documents({"_id": campaign_id}, limit=1) > 0

    async def is_suppressed(self, workspace_id: str, phone: str | None, email: str | None) -> bool:
        """True when the phone or email opted out in this workspace."""
        ors = [{"phone": phone}] if phone else []
        ors += [{"email": email}] if email else []
        if not ors:
            return False
        return await self.suppressions.count_documents({"workspace_id": workspace_id, "$or": ors}, limit=1) > 0

    async def suppress(self, workspace_id: str, *, phone: str | None, email: str | None) -> None:
        """Add an opt-out."""
        key = f"{workspace_id}:{phone or email}"
        await self.suppressions.update_one(
            {"_id": key}, {"$set": {"workspace_id": workspace_id, "phone": phone, "email": email}}, upsert=True
        )

    async def unsuppress(self, workspace_id: str, *, phone: str) -> None:
        """Remove an opt-out (START / UNSTOP)."""
        await self.suppressions.delete_one({"_id": f"{workspace_id}:{phone}"})
