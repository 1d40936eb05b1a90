"""Contacts and import jobs in ingest's database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from outreach_common.mongo import Document, IndexSpec
from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

INDEXES = [
    IndexSpec("contacts", [("workspace_id", 1), ("campaign_id", 1), ("phone", 1)], unique=True, name="unique_phone"),
    IndexSpec("contacts", [("published", 1)], name="unpublished"),
    IndexSpec("contacts", [("import_id", 1), ("row", 1)], name="by_import"),
    IndexSpec("imports", [("campaign_id", 1), ("created_at", -1)], name="by_campaign"),
    IndexSpec("import_rejections", [("import_id", 1), ("row", 1)], name="rejections_by_import"),
]


class ContactRepository:
    """Contacts, unique per workspace, campaign and phone; `published` marks the ContactImported event sent."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["contacts"]

    async def insert_new(self, docs: list[Document]) -> set[str]:
        """Upsert contacts by id without overwriting; return the ids that were new."""
        if not docs:
            return set()
        ops = [UpdateOne({"_id": d["_id"]}, {"$setOnInsert": d}, upsert=True) for d in docs]
        result = await self.collection.bulk_write(ops, ordered=False)
        return {docs[i]["_id"] for i in (result.upserted_ids or {})}

    async def existing_phones(self, *, workspace_id: str, campaign_id: str, phones: list[str]) -> dict[str, Any]:
        """Contacts the campaign already has among `phones`: phone -> (import, row)."""
        cursor = self.collection.find(
            {"workspace_id": workspace_id, "campaign_id": campaign_id, "phone": {"$in": phones}},
            {"phone": 1, "import_id": 1, "row": 1},
        )
        return {d["phone"]: d async for d in cursor}

    async def mark_published(self, ids: list[str]) -> None:
        """Mark contacts whose event was published."""
        await self.collection.update_many({"_id": {"$in": ids}}, {"$set": {"published": True}})

    async def page_of_campaign(
        self, workspace_id: str, campaign_id: str, *, after: str | None, limit: int
    ) -> list[Document]:
        """A campaign's contacts (id and phone) in id order, `limit` at a time after the id `after`."""
        query: dict[str, Any] = {"workspace_id": workspace_id, "campaign_id": campaign_id}
        if after:
            query["_id"] = {"$gt": after}
        return [d async for d in self.collection.find(query, {"phone": 1}).sort("_id", 1).limit(limit)]

    async def unpublished(self, *, before: datetime, limit: int) -> list[Document]:
        """Contacts stored before `before` whose event a crash left unpublished."""
        query = {"published": False, "created_at": {"$lt": before}}
        return [d async for d in self.collection.find(query).limit(limit)]


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
        """Store rejected rows (idempotent per import and row)."""
        if docs:
            ops = [UpdateOne({"_id": d["_id"]}, {"$setOnInsert": d}, upsert=True) for d in docs]
            await self.rejections.bulk_write(ops, ordered=False)

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
