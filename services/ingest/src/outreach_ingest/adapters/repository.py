"""Contacts and import jobs in ingest's database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from outreach_common.mongo import Document, IndexSpec, insert_new
from pymongo.asynchronous.database import AsyncDatabase

INDEXES = [
    IndexSpec("imports", [("campaign_id", 1), ("created_at", -1)], name="by_campaign"),
    IndexSpec("import_rejections", [("import_id", 1), ("row", 1)], name="rejections_by_import"),
]


class ContactRepository:
    """Contacts, unique per workspace, campaign and phone; `published` marks the ContactImported event sent."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["contacts"]

    async def insert_new(self, docs: list[Document], *, look_up: bool = False) -> dict[str, Document | None]:
        """Insert contacts (one batch, unordered); return the ids that existed already, with the stored
        contact (its import and row) when `look_up` asks for it (a resumed batch: one read by `_id` per
        repeat)."""
        stored = {doc["_id"] for doc in await insert_new(self.collection, docs)}
        existing: dict[str, Document | None] = {}
        for doc_id in (doc["_id"] for doc in docs if doc["_id"] not in stored):
            existing[doc_id] = (
                await self.collection.find_one({"_id": doc_id}, {"import_id": 1, "row": 1}) if look_up else None
            )
        return existing

    async def page_of_campaign(
        self, workspace_id: str, campaign_id: str, *, after: str | None, limit: int
    ) -> list[Document]:
        """A campaign's contacts (id and phone) in id order, `limit` at a time after the id `after`."""
        query: dict[str, Any] = {"workspace_id": workspace_id, "campaign_id": campaign_id}
        if after:
            query["_id"] = {"$gt": after}
        return [d async for d in self.collection.find(query, {"phone": 1}).sort("_id", 1).limit(limit)]


class ImportRepository:
    """Import jobs with progress counters and per-row rejections."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["imports"]
        self.rejections = db["import_rejections"]

    async def add(self, doc: Document) -> None:
        """Create a job."""
        await self.collection.insert_one(doc)

    async def get(self, import_id: str) -> Document | None:
        """A job."""
        return await self.collection.find_one({"_id": import_id})

    async def for_campaign(self, workspace_id: str, campaign_id: str) -> list[Document]:
        """Every import job of a campaign."""
        query = {"workspace_id": workspace_id, "campaign_id": campaign_id}
        return [d async for d in self.collection.find(query, {"path": 0})]

    async def unfinished(self) -> list[Document]:
        """Jobs a crash left queued or running."""
        return [d async for d in self.collection.find({"status": {"$in": ["queued", "running"]}})]

    async def update(self, import_id: str, changes: Document, inc: dict[str, int] | None = None) -> None:
        """Update a job's fields and counters."""
        update: dict[str, Any] = {"$set": changes}
        if inc:
            update["$inc"] = inc
        await self.collection.update_one({"_id": import_id}, update)

    async def add_rejections(self, docs: list[Document]) -> None:
        """Store rejected rows (idempotent per import and row: a rerun's repeats are refused)."""
        await insert_new(self.rejections, docs)

    async def iter_rejected(self, import_id: str, page: int = 1000) -> AsyncIterator[Document]:
        """Rejected rows of a job in row order, read a page at a time."""
        last = 0
        while batch := [
            d
            async for d in self.rejections.find({"import_id": import_id, "row": {"$gt": last}})
            .sort("row", 1)
            .limit(page)
        ]:
            for doc in batch:
                yield doc
            last = batch[-1]["row"]
