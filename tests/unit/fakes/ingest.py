"""In-memory fakes for ingest's do-not-call handlers and launch preview: the list, the held-messages outbox,
import jobs and stored contacts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from outreach_common.kafka import EventBus
from outreach_common.mongo import Document
from outreach_common.outbox import publish


class FakeSuppressions:
    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}

    async def add_many(self, docs: list[Document]) -> set[str]:
        new = {d["phone"] for d in docs if d["_id"] not in self.docs}
        for doc in docs:
            self.docs.setdefault(doc["_id"], doc)
        return new

    async def matching(self, workspace_id: str, phones: list[str]) -> dict[str, str]:
        return {d["phone"]: d["source"] for d in self.docs.values()
                if d["workspace_id"] == workspace_id and d["phone"] in phones}  # fmt: skip

    async def all_of(self, workspace_id: str) -> dict[str, str]:
        return {d["phone"]: d["source"] for d in self.docs.values() if d["workspace_id"] == workspace_id}


class FakePending:
    """Held messages: published on release, dropped on forget; `held` is what a crash would leave."""

    def __init__(self) -> None:
        self.held: dict[str, dict[str, Any]] = {}

    async def hold(self, entries: list[dict[str, Any]]) -> None:
        self.held.update((e["id"], e) for e in entries)

    async def release(self, entries: list[dict[str, Any]], bus: EventBus) -> None:
        await publish(entries, bus)
        await self.forget(entries)

    async def forget(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            self.held.pop(entry["id"], None)


class FakeImports:
    def __init__(self, jobs: list[Document]) -> None:
        self.jobs = jobs

    async def for_campaign(self, workspace_id: str, campaign_id: str, *, full: bool = False) -> list[Document]:
        return [j for j in self.jobs if (j["workspace_id"], j["campaign_id"]) == (workspace_id, campaign_id)]


class FakeContacts:
    def __init__(self, pages: list[list[Document]]) -> None:
        self.pages = pages

    async def of_campaign(self, workspace_id: str, campaign_id: str) -> AsyncIterator[list[Document]]:
        for page in self.pages:
            yield page
