"""Contacts and import jobs in ingest's database."""

from __future__ import annotations

import json
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from bson import Binary
from outreach_common.mongo import Document, IndexSpec, insert_new
from pydantic_core import to_json
from pymongo.asynchronous.database import AsyncDatabase

from outreach_ingest.domain.contact_columns import ContactColumns

PAGE_BYTES = 4_000_000  # of JSON in one stored page of contacts or of rejected rows (compressed, far below 16 MB)
INDEXES = [
    IndexSpec("contact_pages", [("workspace_id", 1), ("campaign_id", 1), ("_id", 1)], name="pages_by_campaign"),
    IndexSpec("contact_ledger", [("workspace_id", 1), ("campaign_id", 1)], name="ledger_by_campaign"),
    IndexSpec("imports", [("campaign_id", 1), ("created_at", -1)], name="by_campaign"),
    IndexSpec("import_rejections", [("import_id", 1), ("_id", 1)], name="rejections_by_import"),
]


class ContactRepository:
    """A campaign's contacts, one per workspace, campaign and phone, in two collections with the same ids:

    - `contact_pages`: the stored contacts, one document per stored chunk of an import (split at about 4 MB
      of JSON; `_id` is the import and the page's first row, zero-padded so pages sort in row order), the
      contacts as one compressed JSON text (`contacts`): `[{"id", "row", "phone", ...ContactData}]`.
    - `contact_ledger`: for each page, its rows and their numbers (the integer of the E.164
      digits) as packed 64-bit arrays, with the workspace, campaign and import. It is written before its
      page: an import reads its campaign's ledger when it starts, and imports of one campaign run one at a
      time (`CampaignLocks`), so no number enters a campaign twice.

    The MongoDB-wire server's cost of a document grows with its fields and with the text it must escape
    (measured on FerretDB with SQLite: 0.06-0.08 ms for a contact's fourteen fields; 50 ms for a page of
    5,000 contacts as a JSON string, 4 ms compressed; 12-28 us per one-field ledger document, a million
    of them for a million contacts), and nothing queries inside a contact: so a million contacts are a few
    hundred pages and as many ledger documents."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.ledger = db["contact_ledger"]
        self.pages = db["contact_pages"]

    async def add_pages(self, header: Document, contacts: ContactColumns) -> None:
        """Store contacts (in row order) of one chunk as pages `<import>:<first row>` with `header`'s fields
        (workspace, campaign, import), their ledger entries first; what was stored before (a redone chunk)
        is left as it is."""
        keys = {k: header[k] for k in ("workspace_id", "campaign_id", "import_id")}
        ledger, pages = [], []
        for start, stop, text in page_texts(contacts, PAGE_BYTES):
            page_id = f"{header['import_id']}:{int(contacts.rows[start]):012d}"
            numbers, rows = Binary(contacts.numbers[start:stop].tobytes()), Binary(contacts.rows[start:stop].tobytes())
            ledger.append({"_id": page_id, **keys, "numbers": numbers, "rows": rows})
            pages.append({**header, "_id": page_id, "count": stop - start, "contacts": packed(text)})
        await insert_new(self.ledger, ledger)
        await insert_new(self.pages, pages)

    async def has_page(self, page_id: str) -> bool:
        """Whether the page was stored."""
        return await self.pages.find_one({"_id": page_id}, {"_id": 1}) is not None

    async def drop_entry(self, page_id: str) -> None:
        """Remove a ledger entry whose page was never stored (a crash between the two inserts)."""
        await self.ledger.delete_one({"_id": page_id})

    async def ledger_of(self, workspace_id: str, campaign_id: str) -> AsyncIterator[Ledger]:
        """Every ledger entry of the campaign: its page id, import, rows and numbers."""
        query = {"workspace_id": workspace_id, "campaign_id": campaign_id}
        async for doc in self.ledger.find(query):
            numbers, rows = np.frombuffer(doc["numbers"], np.int64), np.frombuffer(doc["rows"], np.int64)
            yield Ledger(page=doc["_id"], import_id=doc["import_id"], rows=rows, numbers=numbers)

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


@dataclass(frozen=True)
class Ledger:
    """One ledger entry: the rows of one stored page and their numbers."""

    page: str
    import_id: str
    rows: np.ndarray
    numbers: np.ndarray


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

    async def for_campaign(self, workspace_id: str, campaign_id: str, *, full: bool = False) -> list[Document]:
        """Every import job of a campaign (without the stored file's path unless `full`)."""
        query = {"workspace_id": workspace_id, "campaign_id": campaign_id}
        return [d async for d in self.collection.find(query, None if full else {"path": 0})]

    async def unfinished(self) -> list[Document]:
        """Jobs a crash left queued, running or canceling."""
        return [d async for d in self.collection.find({"status": {"$in": ["queued", "running", "canceling"]}})]

    async def update(self, import_id: str, changes: Document, inc: dict[str, int] | None = None) -> None:
        """Update a job's fields and counters."""
        update: dict[str, Any] = {"$set": changes}
        if inc:
            update["$inc"] = inc
        await self.collection.update_one({"_id": import_id}, update)

    async def move(self, import_id: str, statuses: tuple[str, ...], changes: Document) -> bool:
        """Update a job's fields only while its status is one of `statuses`; whether it was."""
        # race: a cancel and the run's start may both match; a job this process runs is stopped through
        # memory (`stop_local`), so its file is never removed under it; the run re-checks between chunks
        found = await self.collection.update_one(
            {"_id": import_id, "status": {"$in": list(statuses)}}, {"$set": changes}
        )
        return found.matched_count == 1

    async def add_rejections(self, import_id: str, rows: list[Document]) -> None:
        """Store the rejected rows of one chunk (each with `row`, `status`, `reason`, `duplicate_of` and the
        record's `values`, in row order) as documents `<import>:<first row>` holding them compressed (one,
        unless their JSON passes `PAGE_BYTES`); idempotent: a redone chunk's documents are refused."""
        if not rows:
            return
        buckets = [{"_id": f"{import_id}:{part[0]['row']:012d}", "import_id": import_id, "count": len(part),
                    "rows": packed(text)} for part, text in split_json(rows, PAGE_BYTES)]  # fmt: skip
        await insert_new(self.rejections, buckets)

    async def expire_rejected(self, *, finished_before: datetime) -> list[str]:
        """Drop the rejected-row reports of imports that ended before `finished_before`; their ids."""
        query = {"finished_at": {"$lt": finished_before}, "rejected_expired": {"$ne": True}}
        expired = [d["_id"] async for d in self.collection.find(query, {"_id": 1})]
        for import_id in expired:
            await self.rejections.delete_many({"_id": {"$gt": f"{import_id}:", "$lt": f"{import_id};"}})
            await self.collection.update_one({"_id": import_id}, {"$set": {"rejected_expired": True}})
        return expired

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


def page_texts(contacts: ContactColumns, limit: int) -> Iterator[tuple[int, int, bytes]]:
    """(start, stop, JSON) of consecutive parts of `contacts` whose JSON, `[{"id", "row", ...contact}]`,
    is at most `limit` bytes (or holds one contact), built on the columns."""
    if not len(contacts):
        return
    rows = pc.cast(pa.array(contacts.rows), pa.string())
    ids = pa.array(contacts.ids, pa.string())
    contact = pc.utf8_slice_codeunits(contacts.json, 1)  # after its "{"
    entries = pc.binary_join_element_wise('{"id":"', ids, '","row":', rows, ",", contact, "")
    ends = np.cumsum(pc.binary_length(entries).to_numpy() + 1)  # an entry and its comma (or the "[")
    cuts = [0]
    while cuts[-1] < len(contacts):
        base = int(ends[cuts[-1] - 1]) if cuts[-1] else 0
        cuts.append(max(int(np.searchsorted(ends, base + limit - 1, "right")), cuts[-1] + 1))
    parts = pc.binary_join(pa.ListArray.from_arrays(pa.array(cuts, pa.int32()), entries), ",")
    for start, stop, text in zip(cuts[:-1], cuts[1:], pc.cast(parts, pa.binary()).to_pylist(), strict=True):
        yield start, stop, b"[" + text + b"]"


def packed(text: str | bytes) -> Binary:
    """JSON text compressed for storage (fast compression: the server stores it as it is)."""
    return Binary(zlib.compress(text.encode() if isinstance(text, str) else text, 1))


def unpacked(data: bytes) -> Any:
    """What `packed` stored."""
    return json.loads(zlib.decompress(data))
