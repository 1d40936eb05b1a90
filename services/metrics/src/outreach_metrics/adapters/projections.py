"""What the metrics service stores: every state change and funnel fact once (insert-only), campaign status.

Inserts only, because on the MongoDB-wire server every conditional update reads the whole collection
while a bulk insert costs a few hundredths of a millisecond a document. A repeated event is refused by its
`_id` (the event id for facts, enrollment and version for state changes), so the stored rows are exact
under redelivery; the in-memory overview is rebuilt from them when the service starts.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from outreach_common.mongo import Document, IndexSpec, insert_new
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from outreach_metrics.domain.overview import Overview

INDEXES: list[IndexSpec] = []  # every read is a full load at start, or by _id


class Projections:
    """The metrics service's stored rows and campaign status."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.states = db["enrollment_states"]
        self.facts = db["funnel_facts"]
        self.campaigns = db["campaigns"]

    async def add(self, states: list[Document], facts: list[Document]) -> tuple[list[Document], list[Document]]:
        """Store state changes and facts; return the ones that are new."""
        new_states, new_facts = await asyncio.gather(insert_new(self.states, states), insert_new(self.facts, facts))
        return new_states, new_facts

    async def load(self, overview: Overview) -> int:
        """Rebuild `overview` from every stored row; the number of rows read."""
        rows = 0
        async for doc in self.states.find({}, {"_id": 0}):
            overview.apply_state(doc["campaign_id"], doc["contact_id"], doc["version"], doc["state"], doc["reason"])
            rows += 1
        group = {"c": "$campaign_id", "k": "$kind", "s": "$step_index", "d": "$day", "h": "$hour"}
        async for doc in await self.facts.aggregate([{"$group": {"_id": group, "n": {"$sum": 1}}}]):
            key = doc["_id"]
            overview.add_fact(key["c"], key["k"], key.get("s"), key.get("h") or key["d"], doc["n"])
            rows += doc["n"]
        return rows

    async def set_campaign(self, campaign_id: str, changes: Document, *, at: Any) -> None:
        """Record the campaign's status as of `at` (older events do not overwrite newer ones)."""
        with contextlib.suppress(DuplicateKeyError):  # a newer status is stored already
            # race: one metrics instance per consumer group writes campaign statuses
            await self.campaigns.update_one(
                {"_id": campaign_id, "$or": [{"at": {"$lt": at}}, {"at": None}]},
                {"$set": {**changes, "at": at}},
                upsert=True,
            )

    async def campaign(self, campaign_id: str) -> Document:
        """The campaign's status document (empty when no campaign event was seen)."""
        return await self.campaigns.find_one({"_id": campaign_id}) or {}

    async def campaign_ids(self, workspace_id: str) -> set[str]:
        """Campaigns of a workspace seen in campaign events."""
        return {d["_id"] async for d in self.campaigns.find({"workspace_id": workspace_id}, {"_id": 1})}
