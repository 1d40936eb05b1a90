"""The durable timer over the enrollment store: the due index (loaded from the queued enrollments), the due
steps read by `_id`, claims as log inserts (inserts only on the hot path), and the batches a crash left
unpublished."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

from outreach_common.mongo import insert_new

from outreach_scheduler.adapters.enrollment_docs import enrollment_id, from_doc, log_id, written
from outreach_scheduler.adapters.enrollment_store import EnrollmentStore
from outreach_scheduler.domain.enrollment import Enrollment, dispatch


class DurableTimer(EnrollmentStore):
    """When each queued enrollment's step is due, and who claimed it."""

    async def load_index(self) -> int:
        """Rebuild the due index from the queued enrollments, and the roster from all of them (at start, and
        now and then for what other instances changed); what this instance changes while it reads is kept.
        One read of every enrollment: the server scans them all for any filter other than `_id`."""
        self.index.begin_reload()
        self.roster.begin_reload()
        count = 0
        fields = {"_id": 0, "campaign_id": 1, "contact_id": 1, "state": 1, "due_at": 1}
        async for doc in self.collection.find({}, fields).batch_size(5000):  # streamed: no list of a million
            campaign_id = sys.intern(doc["campaign_id"])
            self.roster.stage(campaign_id, doc["contact_id"], doc["state"])
            if doc["state"] == "queued" and doc.get("due_at"):
                self.index.stage(campaign_id, doc["contact_id"], doc["due_at"])
                count += 1
        self.roster.commit_reload()
        self.index.commit_reload()
        if self.checkpoint is not None:
            await self.checkpoint.save()  # a restart starts from here
        return count

    async def start_index(self) -> None:
        """At start: the due index and roster from the newest checkpoint and the journal since (seconds for a
        million enrollments), or from every enrollment when there is none."""
        if self.checkpoint is None or not await self.checkpoint.restore():
            await self.load_index()

    def count_due(self, *, now: datetime, campaign_ids: list[str]) -> int:
        """About how many queued enrollments of the given campaigns are due (from the index)."""
        return self.index.count_due(now, campaign_ids)

    async def due(self, *, now: datetime, campaign_ids: list[str], limit: int) -> list[Enrollment]:
        """Queued enrollments of the given campaigns whose due instant has come, earliest first.

        The index names them; their documents and log, read by `_id`, decide: one whose step moved later
        goes back to the index at its new instant, one no longer queued (or already claimed) is dropped, and
        one whose earlier messages are not yet published waits a second, so a contact's messages reach Kafka
        in the order of its transitions."""
        if not campaign_ids:
            return []
        if not self.index.loaded:
            async with self._loading:  # concurrent rounds: one load
                if not self.index.loaded:
                    await self.start_index()
        pairs = self.index.pop_due(now, campaign_ids, limit)
        if not pairs:
            return []
        ids = [enrollment_id(c, k) for c, k in pairs]
        docs = [d async for d in self.collection.find({"_id": {"$in": ids}}).batch_size(len(ids))]
        behind = await self._entries(docs)
        ready = []
        for doc in docs:
            if (entry := behind.get(log_id(doc["_id"], doc["version"]))) is not None:
                doc = await self._catch_up(doc, entry) if entry["kind"] == "save" else {**doc, "state": "claimed"}
            if doc["state"] != "queued" or doc.get("due_at") is None:
                continue
            if doc["due_at"] > now:
                self.index.add(doc["campaign_id"], doc["contact_id"], doc["due_at"])
            elif doc.get("outbox"):
                self.index.add(doc["campaign_id"], doc["contact_id"], now + timedelta(seconds=1))
            else:
                ready.append(from_doc(doc))
        return sorted(ready, key=lambda e: e.due_at or now)

    async def claim_batch(self, due: list[Enrollment], *, claim: str, at: datetime) -> list[Enrollment]:
        """Claim due steps (queued -> active) as the batch `claim`; return the enrollments won, as claimed.

        The batch is recorded first, then each claim is a log entry: inserts only. The documents catch up
        when next read."""
        if not due:
            return []
        entries = [
            {"_id": log_id(e.doc_id, e.version), "kind": "claim", "claim": claim, "at": at, "key": e.key, **written()}
            for e in due
        ]
        await self.batches.insert_one({"_id": claim, "at": at, "entries": [x["_id"] for x in entries]})
        won = {x["_id"] for x in await insert_new(self.log, entries)}
        claimed = [dispatch(e) for e in due if log_id(e.doc_id, e.version) in won]
        self.roster.note_all((e.campaign_id, e.contact_id, e.state) for e in claimed)
        return claimed

    async def mark_published(self, claim: str) -> None:
        """The commands of a claimed batch are on Kafka."""
        await self.batches.delete_one({"_id": claim})

    async def unpublished_claims(self, *, before: datetime, limit: int = 20) -> list[tuple[Enrollment, str]]:
        """Steps of batches a crash left unpublished, still in flight, with their batch tokens (the batches
        with nothing left to publish are forgotten here)."""
        found: list[tuple[Enrollment, str]] = []
        async for batch in self.batches.find({"at": {"$lt": before}}).limit(limit):
            won = [x async for x in self.log.find({"_id": {"$in": batch["entries"]}, "claim": batch["_id"]})]
            doc_ids = [x["_id"].rpartition("#")[0] for x in won]
            docs = [d async for d in self.collection.find({"_id": {"$in": doc_ids}}, {"outbox": 0})]
            keys = {x["key"] for x in won}
            current = [from_doc(d) for d in await self._current(docs)]
            pending = [(e, batch["_id"]) for e in current if e.state == "active" and e.in_flight_key in keys]
            if not pending:
                await self.mark_published(batch["_id"])
            found += pending
        return found
