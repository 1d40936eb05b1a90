"""CRM connections (credentials sealed), feeds (what feeds a campaign, and how often), sync runs with their
progress and report, links from synced contacts to their CRM records, and the write-back ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach_common.mongo import Document, IndexSpec, insert_new
from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

INDEXES = [
    IndexSpec("crm_connections", [("workspace_id", 1)], name="connections_by_workspace"),
    IndexSpec("crm_feeds", [("workspace_id", 1)], name="feeds_by_workspace"),
    IndexSpec("crm_syncs", [("feed_id", 1), ("started_at", -1)], name="syncs_by_feed"),
]


async def _owned(collection: AsyncCollection[Document], doc_id: str, workspace_id: str | None) -> Document | None:
    """A document by id; None when it is another workspace's (when `workspace_id` is given)."""
    doc = await collection.find_one({"_id": doc_id})
    if doc is None or (workspace_id is not None and doc["workspace_id"] != workspace_id):
        return None
    return doc


async def _of_workspace(collection: AsyncCollection[Document], workspace_id: str) -> list[Document]:
    """A workspace's documents, oldest first."""
    return [d async for d in collection.find({"workspace_id": workspace_id}).sort("created_at", 1)]


class CrmStore:
    """The CRM collections of ingest's database."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.connections = db["crm_connections"]
        self.feeds = db["crm_feeds"]
        self.syncs = db["crm_syncs"]
        self.links = db["crm_links"]  # _id: contact id
        self.phone_links = db["crm_phone_links"]  # _id: workspace|phone -> the records with that number
        self.writebacks = db["crm_writebacks"]  # _id: call key (or opt-out key)
        self.running = db["crm_running"]  # _id: feed id -> the sync running for it
        self.oauth_states = db["crm_oauth_states"]  # _id: an OAuth state -> who started connecting

    # --- connections

    async def add_connection(self, doc: Document) -> None:
        await self.connections.insert_one(doc)

    async def connection(self, connection_id: str, workspace_id: str | None = None) -> Document | None:
        return await _owned(self.connections, connection_id, workspace_id)

    async def connections_of(self, workspace_id: str) -> list[Document]:
        return await _of_workspace(self.connections, workspace_id)

    async def all_connections(self) -> list[Document]:
        return [d async for d in self.connections.find({})]

    async def connections_of_location(self, location_id: str) -> list[Document]:
        """GoHighLevel connections of a location (its webhooks name the location, not the connection)."""
        query = {"kind": "gohighlevel", "settings.location_id": location_id}
        return [d async for d in self.connections.find(query)]

    async def update_connection(self, connection_id: str, fields: Document) -> None:
        # race: last writer wins on a connection's status and sealed credentials (both are whole values)
        await self.connections.update_one({"_id": connection_id}, {"$set": fields})

    async def remove_connection(self, connection_id: str) -> None:
        await self.connections.delete_one({"_id": connection_id})
        # race: a feed added to this connection meanwhile is removed too, or fails its next sync (no connection)
        await self.feeds.delete_many({"connection_id": connection_id})

    # --- feeds and syncs

    async def add_feed(self, doc: Document) -> None:
        await self.feeds.insert_one(doc)

    async def feed(self, feed_id: str, workspace_id: str | None = None) -> Document | None:
        return await _owned(self.feeds, feed_id, workspace_id)

    async def feeds_of(self, workspace_id: str) -> list[Document]:
        return await _of_workspace(self.feeds, workspace_id)

    async def feeds_of_connection(self, connection_id: str) -> list[Document]:
        return [d async for d in self.feeds.find({"connection_id": connection_id})]

    async def scheduled_feeds(self) -> list[Document]:
        return [d async for d in self.feeds.find({"every_minutes": {"$gt": 0}})]

    async def update_feed(self, feed_id: str, fields: Document) -> None:
        # race: one sync of a feed runs at a time (`add_sync` claims the feed with a unique insert)
        await self.feeds.update_one({"_id": feed_id}, {"$set": fields})

    async def add_sync(self, doc: Document) -> bool:
        """A new sync run; False when the feed already has one running (one insert decides)."""
        if not await insert_new(self.running, [{"_id": doc["feed_id"], "sync_id": doc["_id"]}]):
            return False
        await self.syncs.insert_one(doc)
        return True

    async def finish_sync(self, feed_id: str) -> None:
        """The feed may sync again."""
        await self.running.delete_one({"_id": feed_id})

    async def sync(self, sync_id: str) -> Document | None:
        return await self.syncs.find_one({"_id": sync_id})

    async def syncs_of(self, feed_id: str, *, limit: int = 20) -> list[Document]:
        return [d async for d in self.syncs.find({"feed_id": feed_id}).sort("started_at", -1).limit(limit)]

    async def unfinished_syncs(self) -> list[Document]:
        return [d async for d in self.syncs.find({"status": {"$in": ["fetching", "importing"]}})]

    async def update_sync(self, sync_id: str, fields: Document, *, push: Document | None = None) -> Document | None:
        # race: a sync run is advanced by the one task running it (a resumed run starts after the last page)
        update: Document = {"$set": fields}
        if push:
            update["$push"] = {k: {"$each": v} for k, v in push.items()}
        return await self.syncs.find_one_and_update({"_id": sync_id}, update, return_document=ReturnDocument.AFTER)

    # --- links between contacts and records

    async def link(self, links: list[Document]) -> None:
        """Contact id -> (connection, record); and workspace|phone -> the records, for opt-outs. A page's
        links are two batch inserts; only a number already linked (another record, another campaign) costs
        an update of its document."""
        if not links:
            return
        await insert_new(self.links, links)
        pairs: dict[str, list[Document]] = {}
        for link in links:
            pair = {"connection_id": link["connection_id"], "record_id": link["record_id"]}
            pairs.setdefault(f"{link['workspace_id']}|{link['phone']}", []).append(pair)
        fresh = await insert_new(self.phone_links, [{"_id": key, "records": found} for key, found in pairs.items()])
        for key in pairs.keys() - {d["_id"] for d in fresh}:
            # race: adding the same pair twice adds it once ($addToSet)
            await self.phone_links.update_one({"_id": key}, {"$addToSet": {"records": {"$each": pairs[key]}}})

    async def link_of(self, contact_id: str) -> Document | None:
        return await self.links.find_one({"_id": contact_id})

    async def records_of_phone(self, workspace_id: str, phone: str) -> list[Document]:
        doc = await self.phone_links.find_one({"_id": f"{workspace_id}|{phone}"})
        return list(doc["records"]) if doc else []

    # --- write-back ledger

    async def writeback(self, key: str) -> Document | None:
        return await self.writebacks.find_one({"_id": key})

    async def note_writeback(self, key: str, fields: Document, *, event_id: str | None = None) -> Document:
        """Merge facts into the key's ledger entry (created when new); the events applied are listed."""
        update: Document = {"$set": fields}
        if event_id:
            update["$addToSet"] = {"events": event_id}
        # race: events of one contact come in order from one partition; one consumer handles each key
        doc = await self.writebacks.find_one_and_update(
            {"_id": key}, update, upsert=True, return_document=ReturnDocument.AFTER
        )
        return dict(doc or {})


def public(doc: Document, *, hide: tuple[str, ...] = ()) -> dict[str, Any]:
    """A stored document as the API shows it: `id` for `_id`, secrets and internals left out."""
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if k != "_id" and k not in hide}}


def since_of(feed: Document) -> datetime | None:
    """Where an incremental sync of the feed starts: when its last completed sync started."""
    value: datetime | None = feed.get("synced_from")
    return value
