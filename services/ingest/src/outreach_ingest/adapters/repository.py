"""Contacts and import jobs in ingest's database."""

from __future__ import annotations

import json
import zlib
from collections.abc import AsyncIterator
from typing import Any

from bson import Binary
from outreach_common.mongo import Document, IndexSpec, insert_new
from pydantic_core import to_json
from pymongo.asynchronous.database import AsyncDatabase

PAGE_BYTES = 4_000_000  # of JSON in one stored page of contacts or of rejected rows (compressed, far below 16 MB)
INDEXES = [
    IndexSpec("contact_pages", [("workspace_id", 1), ("campaign_id", 1), ("_id", 1)], name="pages_by_campaign"),
    IndexSpec("imports", [("campaign_id", 1), ("created_at", -1)], name="by_campaign"),
    IndexSpec("import_rejections", [("import_id", 1), ("_id", 1)], name="rejections_by_import"),
]


class ContactRepository:
    """A campaign's contacts, unique per workspace, campaign and phone, in two collections:

    - `contact_numbers`, the ledger: one small document per contact, `_id` the contact id (derived from
      workspace, campaign and phone) and `o` the import and row that stored it. Inserting refuses a number
      the campaign has, whatever import brought it.
    - `contact_pages`: the stored contacts themselves, one document per stored chunk of an import (split
      at about 4 MB of JSON; `_id` is the import and the first row, zero-padded so pages sort in row order),
      the contacts as one compressed JSON text (`packed`): `[{"id", "row", "phone", ...ContactData}]`.

    The MongoDB-wire server's cost of a document grows with its fields (0.013 ms for one field, 0.06-0.08 ms
    for a contact's fourteen, measured on FerretDB with SQLite) and with the text it must escape (50 ms for a
    page of 5,000 contacts as a JSON string, 4 ms compressed as binary), and nothing queries inside a
    contact, so a million contacts are a million small inserts and a few hundred pages."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.ledger = db["contact_numbers"]
        self.pages = db["contact_pages"]

    async def claim(self, owners: dict[str, str], *, look_up: bool = False) -> dict[str, str | None]:
        """Enter contact id -> owner ("import:row") in the ledger; return the ids it had already, with their
        owner when `look_up` asks for it (a resumed chunk: one read by `_id` per repeat)."""
        docs = [{"_id": contact_id, "o": owner} for contact_id, owner in owners.items()]
        stored = {doc["_id"] for doc in await insert_new(self.ledger, docs)}
        existing: dict[str, str | None] = {}
        for contact_id in (doc["_id"] for doc in docs if doc["_id"] not in stored):
            found = await self.ledger.find_one({"_id": contact_id}) if look_up else None
            existing[contact_id] = found.get("o") if found else None
        return existing

    async def add_pages(self, header: Document, contacts: list[Document]) -> None:
        """Store contacts (each with `id` and `row`) of one chunk as pages `<import>:<first row>`, each with
        `header`'s fields; a page stored before (a redone chunk) is left as it is."""
        docs = [{**header, "_id": f"{header['import_id']}:{page[0]['row']:012d}", "count": len(page),
                 "contacts": packed(text)} for page, text in split_json(contacts, PAGE_BYTES)]  # fmt: skip
        await insert_new(self.pages, docs)

    async def of_campaign(self, workspace_id: str, campaign_id: str) -> AsyncIterator[list[Document]]:
        """The campaign's contacts, a page at a time."""
        query = {"workspace_id": workspace_id, "campaign_id": campaign_id}
        last = ""
        while True:
            found = await self.pages.find_one({**query, "_id": {"$gt": last}}, sort=[("_id", 1)])
            if found is None:
                return
            last = found["_id"]
            yield unpacked(found["contacts"])


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
        """Jobs a crash left queued, running or canceling."""
        return [d async for d in self.collection.find({"status": {"$in": ["queued", "running", "canceling"]}})]

    async def update(self, import_id: str, changes: Document, inc: dict[str, int] | None = None) -> None:
        """Update a job's fields and counters."""
        update: dict[str, Any] = {"$set": changes}
        if inc:
            update["$inc"] = inc
        await self.collection.update_one({"_id": import_id}, update)

    async def add_rejections(self, import_id: str, rows: list[Document]) -> None:
        """Store the rejected rows of one chunk (each with `row`, `status`, `reason`, `duplicate_of` and the
        record's `values`, in row order) as documents `<import>:<first row>` holding them compressed (one,
        unless their JSON passes `PAGE_BYTES`); idempotent: a redone chunk's documents are refused."""
        if not rows:
            return
        buckets = [{"_id": f"{import_id}:{part[0]['row']:012d}", "import_id": import_id, "count": len(part),
                    "rows": packed(text)} for part, text in split_json(rows, PAGE_BYTES)]  # fmt: skip
        await insert_new(self.rejections, buckets)

    async def iter_rejected(self, import_id: str) -> AsyncIterator[Document]:
        """Rejected rows of a job in row order, read a chunk's document at a time."""
        last_id, last_row = f"{import_id}:", 0
        while True:
            query = {"_id": {"$gt": last_id, "$lt": f"{import_id};"}, "import_id": import_id}
            bucket = await self.rejections.find_one(query, sort=[("_id", 1)])
            if bucket is None:
                return
            last_id = bucket["_id"]
            for doc in unpacked(bucket["rows"]):
                if doc["row"] > last_row:  # (chunks cut differently by a rerun overlap)
                    last_row = doc["row"]
                    yield doc


def split_json(items: list[Document], limit: int) -> list[tuple[list[Document], bytes]]:
    """`items` in consecutive parts with their JSON, halved until each part's JSON is at most `limit` bytes
    (or it holds one item), in order."""
    parts: list[tuple[list[Document], bytes]] = []
    pending = [items] if items else []
    while pending:
        part = pending.pop(0)
        text = to_json(part)
        if len(text) > limit and len(part) > 1:
            pending[:0] = [part[: len(part) // 2], part[len(part) // 2 :]]
            continue
        parts.append((part, text))
    return parts


def packed(text: str | bytes) -> Binary:
    """JSON text compressed for storage (fast compression: the server stores it as it is)."""
    return Binary(zlib.compress(text.encode() if isinstance(text, str) else text, 1))


def unpacked(data: bytes) -> Any:
    """What `packed` stored."""
    return json.loads(zlib.decompress(data))
