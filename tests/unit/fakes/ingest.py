"""In-memory fakes for ingest's do-not-call handlers and launch preview: the list, the held-messages outbox,
import jobs and stored contacts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import numpy as np
import pyarrow as pa
from outreach_common.kafka import EventBus
from outreach_common.mongo import Document
from outreach_common.outbox import publish
from outreach_contracts.contacts import ContactData
from outreach_ingest.domain.contact_columns import ContactColumns


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


class FakeStoredContacts:
    """Stored contacts and the campaign ledger (rows and numbers per page), in memory."""

    def __init__(self) -> None:
        self.pages: dict[str, Document] = {}
        self.ledger: dict[str, Any] = {}

    async def add_pages(self, header: Document, contacts: ContactColumns) -> None:
        from outreach_ingest.adapters.repository import Ledger

        if not len(contacts):
            return
        page_id = f"{header['import_id']}:{int(contacts.rows[0]):012d}"
        entry = Ledger(page=page_id, import_id=header["import_id"], rows=contacts.rows, numbers=contacts.numbers)
        self.ledger.setdefault(page_id, (header["workspace_id"], header["campaign_id"], entry))
        found = zip(contacts.ids, contacts.rows.tolist(), contacts.json.to_pylist(), strict=True)
        stored = [{"id": i, "row": r, **json.loads(text)} for i, r, text in found]
        self.pages.setdefault(page_id, {**header, "contacts": stored})

    async def has_page(self, page_id: str) -> bool:
        return page_id in self.pages

    async def drop_entry(self, page_id: str) -> None:
        self.ledger.pop(page_id, None)

    async def ledger_of(self, workspace_id: str, campaign_id: str) -> AsyncIterator[Any]:
        for ws, campaign, entry in list(self.ledger.values()):
            if (ws, campaign) == (workspace_id, campaign_id):
                yield entry

    async def of_campaign(self, workspace_id: str, campaign_id: str) -> AsyncIterator[list[Document]]:
        for page in self.pages.values():
            if (page["workspace_id"], page["campaign_id"]) == (workspace_id, campaign_id):
                yield page["contacts"]


class FakeJobs(FakeImports):
    """Import jobs with counters, moves and rejected rows."""

    def __init__(self) -> None:
        super().__init__([])
        self.rejected: dict[str, list[Document]] = {}

    async def add(self, doc: Document) -> None:
        self.jobs.append({**doc})

    async def get(self, import_id: str) -> Document | None:
        return next((j for j in self.jobs if j["_id"] == import_id), None)

    async def unfinished(self) -> list[Document]:
        return [j for j in self.jobs if j["status"] in ("queued", "running", "canceling")]

    async def update(self, import_id: str, changes: Document, inc: dict[str, int] | None = None) -> None:
        job = await self.get(import_id)
        assert job is not None
        job.update(changes)
        for field, n in (inc or {}).items():
            job[field] = job.get(field, 0) + n

    async def move(self, import_id: str, statuses: tuple[str, ...], changes: Document) -> bool:
        job = await self.get(import_id)
        if job is None or job["status"] not in statuses:
            return False
        job.update(changes)
        return True

    async def add_rejections(self, import_id: str, rows: list[Document]) -> None:
        known = {r["row"] for r in self.rejected.get(import_id, [])}
        self.rejected.setdefault(import_id, []).extend(r for r in rows if r["row"] not in known)


class FakeLocks:
    def __init__(self) -> None:
        self.holders: dict[str, str] = {}

    async def acquire(self, key: str, holder: str, now: Any, lease: Any) -> str | None:
        await asyncio.sleep(0)  # a round trip: other tasks run meanwhile
        current = self.holders.setdefault(key, holder)
        return None if current == holder else current

    async def renew(self, key: str, holder: str, now: Any, lease: Any) -> bool:
        return self.holders.get(key) == holder

    async def release(self, key: str, holder: str) -> None:
        if self.holders.get(key) == holder:
            del self.holders[key]


def contact_columns(contacts: list[Document]) -> ContactColumns:
    """`ContactColumns` of (id, row, ContactData fields) dicts, as an import builds them."""
    from outreach_ingest.adapters.contact_json import contacts_json
    from outreach_ingest.domain.normalise import CONTACT_FIELDS

    custom = list(dict.fromkeys(name for c in contacts for name in c.get("fields", {})))
    columns = {name: pa.array([c.get(name) for c in contacts], pa.string()) for name in CONTACT_FIELDS}
    fields = {name: pa.array([c.get("fields", {}).get(name) for c in contacts], pa.string()) for name in custom}
    return ContactColumns(
        rows=np.array([c["row"] for c in contacts], np.int64),
        ids=[c["id"] for c in contacts],
        phones=[c["phone"] for c in contacts],
        numbers=np.array([int(c["phone"][1:]) for c in contacts], np.int64),
        json=contacts_json(columns, fields),
    )


def as_stored(contact: Document) -> Document:
    """An (id, row, ContactData fields) dict as a stored page gives it back: every field of the model."""
    fields = {k: v for k, v in contact.items() if k not in ("id", "row")}
    return {"id": contact["id"], "row": contact["row"], **ContactData.model_validate(fields).model_dump()}
