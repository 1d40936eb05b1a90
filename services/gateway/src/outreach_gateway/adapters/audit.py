"""The audit log: who changed what, when, per workspace."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from outreach_common.cursors import page_after
from outreach_common.mongo import Document
from pymongo.asynchronous.database import AsyncDatabase


class AuditLog:
    """Append-only entries, read newest first."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.entries = db["audit"]

    async def record(
        self, *, workspace_id: str, actor: str, action: str, target: str, at: datetime, **detail: Any
    ) -> None:
        """One change."""
        entry = {"_id": f"aud_{uuid.uuid4().hex}", "workspace_id": workspace_id, "actor": actor, "action": action}
        await self.entries.insert_one({**entry, "target": target, "at": at, **detail})

    async def page(self, workspace_id: str, *, after: tuple[datetime, str] | None, limit: int) -> list[Document]:
        """Entries of the workspace, newest first, after the cursor (time, id) of the previous page."""
        query: Document = {"workspace_id": workspace_id, **page_after("at", after)}
        cursor = self.entries.find(query).sort([("at", -1), ("_id", -1)]).limit(limit)
        return [d async for d in cursor]
