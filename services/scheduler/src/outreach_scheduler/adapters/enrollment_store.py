"""Enrollments in the scheduler's database: documents, their transition log, and the due index.

Every change of an enrollment away from version N is first a unique insert of `campaign:contact#N` into
`enrollment_log`: of several writers (instances, handlers) exactly one wins each version, although the
MongoDB-wire server does not make conditional updates atomic between connections. A dispatch claim is only
that insert (no update of the document on the timer's hot path); a transition also updates the document
(by `_id` and version). A reader that finds a document behind its log (a claimed step, or a writer that
stopped between its insert and its update) applies the log entry first, so every reader sees the same
state. All reads and writes of the timer go by `_id`; the due index says which enrollments to read.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from outreach_common.kafka import EventBus
from outreach_common.mongo import Document
from outreach_common.outbox import relay
from outreach_common.retention import prune_before
from pymongo.asynchronous.database import AsyncDatabase

from outreach_scheduler.adapters.due_checkpoint import DueCheckpoint
from outreach_scheduler.adapters.due_index import DueIndex
from outreach_scheduler.adapters.enrollment_docs import changes_of, log_id, merged, update_to
from outreach_scheduler.adapters.roster import Roster
from outreach_scheduler.domain.enrollment import Enrollment


class EnrollmentStore:
    """The collections of enrollments, their log and dispatch batches, the in-memory due index, and reading
    documents with their log applied, and the roster (each campaign's contacts with their last known states)."""

    def __init__(self, db: AsyncDatabase[Document], index: DueIndex | None = None) -> None:
        self.collection = db["enrollments"]
        self.log = db["enrollment_log"]
        self.batches = db["dispatch_batches"]
        self.index = index or DueIndex()
        self.roster = Roster()
        self.checkpoint: DueCheckpoint | None = None  # kept by the service (`keep_checkpoints`)
        self._loading = asyncio.Lock()

    def keep_checkpoints(self, db: AsyncDatabase[Document]) -> DueCheckpoint:
        """Journal the index's and roster's changes and checkpoint them, for fast restarts."""
        self.checkpoint = DueCheckpoint(db, self.index, self.roster)
        return self.checkpoint

    def _track(self, enrollment: Enrollment) -> None:
        self.roster.note(enrollment.campaign_id, enrollment.contact_id, enrollment.state)
        if enrollment.state == "queued" and enrollment.due_at is not None:
            self.index.add(enrollment.campaign_id, enrollment.contact_id, enrollment.due_at)

    # --- reading, with the log applied

    async def _entries(self, docs: list[Document]) -> dict[str, Document]:
        """Log entries that move these documents on from their stored versions."""
        ids = [log_id(d["_id"], d["version"]) for d in docs]
        found: dict[str, Document] = {}
        for start in range(0, len(ids), 5000):
            async for entry in self.log.find({"_id": {"$in": ids[start : start + 5000]}}):
                found[entry["_id"]] = entry
        return found

    async def _catch_up(self, doc: Document, entry: Document | None) -> Document:
        """Apply log entries the document is behind on (a claim, or a writer that stopped half way)."""
        for _ in range(100):
            if entry is None:
                return doc
            changes = changes_of(doc, entry)
            # race: the log entry decided this change; the document only catches up with it (idempotent)
            await self.collection.update_one(
                {"_id": doc["_id"], "version": doc["version"]},
                {**update_to(changes), "$push": {"outbox": {"$each": entry.get("outbox", [])}}},
            )
            doc = merged(doc, changes)
            self.roster.note(doc["campaign_id"], doc["contact_id"], doc["state"])
            entry = await self.log.find_one({"_id": log_id(doc["_id"], doc["version"])})
        raise RuntimeError(f"enrollment {doc['_id']} is more than 100 log entries behind")

    async def _current(self, docs: list[Document]) -> list[Document]:
        entries = await self._entries(docs)
        return [await self._catch_up(d, entries.get(log_id(d["_id"], d["version"]))) for d in docs]

    async def prune_log(self, *, older_than: timedelta) -> int:
        """Forget log entries written more than `older_than` ago whose document has caught up with them (an
        entry decides one version once; after that no reader looks it up). Entries of a document still
        behind stay until a reader applies them."""

        async def behind(entries: list[Document]) -> set[str]:
            doc_ids = list({e["_id"].rpartition("#")[0] for e in entries})
            stored = self.collection.find({"_id": {"$in": doc_ids}}, {"version": 1})
            versions = {d["_id"]: d["version"] async for d in stored}
            waiting = set()
            for entry in entries:
                doc_id, _, version = entry["_id"].rpartition("#")
                if doc_id in versions and versions[doc_id] <= int(version):
                    waiting.add(entry["_id"])
            return waiting

        return await prune_before(self.log, field="written", before=datetime.now(UTC) - older_than, keep=behind)

    async def relay(self, doc_id: str, entries: list[Document], bus: EventBus) -> None:
        """Publish an enrollment's new outbox entries and clear them."""
        await relay(self.collection, doc_id, entries, bus)
