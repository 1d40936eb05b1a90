"""Which workspace each campaign belongs to, as ingest learns it from campaign events."""

from __future__ import annotations

import asyncio
import time

from outreach_common.mongo import Document
from pymongo.asynchronous.database import AsyncDatabase


class CampaignDirectory:
    """Campaign id -> workspace, one small document per campaign."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["campaigns"]

    async def record(self, campaign_id: str, workspace_id: str) -> None:
        """Remember a campaign's workspace (a repeated event changes nothing)."""
        await self.collection.update_one({"_id": campaign_id}, {"$set": {"workspace_id": workspace_id}}, upsert=True)

    async def belongs(self, campaign_id: str, workspace_id: str, *, wait_s: float = 0.0) -> bool:
        """True when the campaign is the workspace's; waits up to `wait_s` for a campaign just created (its
        event may still be on its way)."""
        deadline = time.monotonic() + wait_s
        while True:
            doc = await self.collection.find_one({"_id": campaign_id})
            if doc is not None:
                return bool(doc["workspace_id"] == workspace_id)
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.1)
