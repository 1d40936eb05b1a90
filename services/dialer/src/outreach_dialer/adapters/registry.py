"""The number and agent registries in the dialer's database (small collections, read whole)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from outreach_common.mongo import Document
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase


class NumberRepository:
    """Caller ids: tags, capabilities, place, caps, status and recent use."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["numbers"]
        self._empty_at: dict[str, float] = {}

    async def empty(self, workspace_id: str, max_age_s: float = 5.0) -> bool:
        """True when the workspace has no number (an empty answer is trusted for `max_age_s`)."""
        seen = self._empty_at.get(workspace_id)
        if seen is not None and time.monotonic() - seen < max_age_s:
            return True
        if await self.collection.find_one({"workspace_id": workspace_id}, {"_id": 1}) is None:
            self._empty_at[workspace_id] = time.monotonic()
            return True
        self._empty_at.pop(workspace_id, None)
        return False

    async def upsert(self, doc: Document) -> bool:
        """Add or replace a number's settings (its use history is kept); True when it was new."""
        number = doc["_id"]
        settings = {k: v for k, v in doc.items() if k not in ("_id", "uses", "last_used_at", "stats")}
        result = await self.collection.update_one(
            {"_id": number},
            {"$set": settings, "$setOnInsert": {"uses": [], "last_used_at": None, "stats": {}}},
            upsert=True,
        )
        self._empty_at.pop(settings.get("workspace_id", ""), None)
        return result.upserted_id is not None

    async def all(self, query: Document | None = None) -> list[Document]:
        """Numbers matching `query`, by number."""
        return [d async for d in self.collection.find(query or {}).sort("_id", 1)]

    async def get(self, number: str) -> Document | None:
        """One number."""
        return await self.collection.find_one({"_id": number})

    async def delete(self, number: str) -> bool:
        """Remove a number."""
        return (await self.collection.delete_one({"_id": number})).deleted_count == 1

    async def take(
        self, number: str, *, last_used_at: datetime | None, uses: list[datetime], now: datetime, exclusive: bool = True
    ) -> bool:
        """Record a use if nobody used the number since it was read (False: choose again); not `exclusive`
        (a number without caps or cool-down), the use is recorded whatever happened meanwhile."""
        if not exclusive:
            await self.collection.update_one({"_id": number}, {"$set": {"last_used_at": now, "uses": []}})
            return True
        # race: two instances that read the same last use may both record theirs (FerretDB matches both):
        # a cap or cool-down is then passed by one call at most per racing instance. Not arbitrated by an
        # insert: a dialer killed between such an insert and this update would block the number for good.
        result = await self.collection.update_one(
            {"_id": number, "last_used_at": last_used_at}, {"$set": {"last_used_at": now, "uses": [*uses, now]}}
        )
        return result.modified_count == 1

    async def update(self, number: str, changes: Document, inc: dict[str, Any] | None = None) -> Document | None:
        """Change a number."""
        update: dict[str, Any] = {"$set": changes} if changes else {}
        if inc:
            update["$inc"] = inc
        return await self.collection.find_one_and_update({"_id": number}, update, return_document=ReturnDocument.AFTER)


class AgentRepository:
    """Agents of each workspace: id, name, how a call reaches them, default variables.

    An agent's document id is `<workspace>:<agent id>`, so two workspaces may use the same agent id."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["agents"]
        self._cache: dict[str, tuple[float, Document | None]] = {}

    @staticmethod
    def key(workspace_id: str, agent_id: str) -> str:
        """The document id of a workspace's agent."""
        return f"{workspace_id}:{agent_id}"

    async def cached(self, workspace_id: str, agent_id: str, max_age_s: float = 5.0) -> Document | None:
        """One agent, read at most every `max_age_s` (every call of a campaign asks for the same agent)."""
        key = self.key(workspace_id, agent_id)
        hit = self._cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < max_age_s:
            return hit[1]
        doc = await self.get(workspace_id, agent_id)
        self._cache[key] = (time.monotonic(), doc)
        return doc

    async def put(self, workspace_id: str, agent_id: str, fields: Document) -> None:
        """Create or replace an agent."""
        key = self.key(workspace_id, agent_id)
        doc = {"_id": key, "workspace_id": workspace_id, "id": agent_id, **fields}
        await self.collection.replace_one({"_id": key}, doc, upsert=True)
        self._cache.pop(key, None)

    async def get(self, workspace_id: str, agent_id: str) -> Document | None:
        """One agent of the workspace."""
        return await self.collection.find_one({"_id": self.key(workspace_id, agent_id)}, {"_id": 0})

    async def all(self, workspace_id: str) -> list[Document]:
        """Every agent of the workspace, by id."""
        return [d async for d in self.collection.find({"workspace_id": workspace_id}, {"_id": 0}).sort("id", 1)]

    async def delete(self, workspace_id: str, agent_id: str) -> bool:
        """Remove an agent."""
        key = self.key(workspace_id, agent_id)
        self._cache.pop(key, None)
        return (await self.collection.delete_one({"_id": key})).deleted_count == 1
