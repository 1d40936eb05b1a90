"""Enrollments in the scheduler's database: reading and changing them (see `enrollment_store` for how the
log makes every change safe on a server whose conditional updates are not atomic), and the timer."""

from __future__ import annotations

from datetime import datetime

from outreach_common.mongo import Document, insert_new
from pymongo.errors import DuplicateKeyError

from outreach_scheduler.adapters.durable_timer import DurableTimer
from outreach_scheduler.adapters.enrollment_docs import enrollment_id, from_doc, log_id, to_doc, update_to, written
from outreach_scheduler.domain.enrollment import Enrollment

OPEN = ("queued", "active")


class EnrollmentRepository(DurableTimer):
    """Enrollment documents (one per campaign and contact): reading them with their log applied, adding and
    changing them (each change first wins its version in the log), and the durable timer."""

    async def page(
        self, campaign_id: str, *, states: tuple[str, ...] | None, after: str | None, limit: int
    ) -> list[Enrollment]:
        """A campaign's enrollments in contact order, after the contact id `after`, in `states` (all when
        None), read with their log applied, so the state is the stored truth. The roster names the candidates
        (the server would scan every enrollment to sort or filter); they are read by `_id`."""
        if not self.roster.loaded:
            return await self._page_by_scan(campaign_id, states=states, after=after, limit=limit)
        found: list[Enrollment] = []
        while len(found) < limit:
            ids = self.roster.after(campaign_id, after, states, limit - len(found) + 10)
            if not ids:
                break
            query = {"_id": {"$in": [enrollment_id(campaign_id, c) for c in ids]}}
            docs = [d async for d in self.collection.find(query, {"outbox": 0})]
            current = sorted((from_doc(d) for d in await self._current(docs)), key=lambda e: e.contact_id)
            found += [e for e in current if states is None or e.state in states]
            after = ids[-1]
        return found[:limit]

    async def _page_by_scan(
        self, campaign_id: str, *, states: tuple[str, ...] | None, after: str | None, limit: int
    ) -> list[Enrollment]:
        """`page` before the roster is loaded: the server sorts and the states are filtered here."""
        found: list[Enrollment] = []
        query: Document = {"campaign_id": campaign_id}
        batch = limit if states is None else max(limit, 1000)  # a rare state: fewer, larger reads
        while len(found) < limit:
            if after is not None:
                query["_id"] = {"$gt": enrollment_id(campaign_id, after)}
            docs = [d async for d in self.collection.find(query, {"outbox": 0}).sort("_id", 1).limit(batch)]
            if not docs:
                break
            current = [from_doc(d) for d in await self._current(docs)]
            found += [e for e in current if states is None or e.state in states]
            after = docs[-1]["contact_id"]
        return found[:limit]

    async def get(self, campaign_id: str, contact_id: str) -> Enrollment | None:
        """One enrollment."""
        doc = await self.collection.find_one({"_id": enrollment_id(campaign_id, contact_id)}, {"outbox": 0})
        return from_doc((await self._current([doc]))[0]) if doc else None

    async def open_for(
        self, *, workspace_id: str, phone: str | None, campaign_id: str | None, contact_id: str | None
    ) -> list[Enrollment]:
        """Open (queued or active) enrollments of a phone number in a workspace, or of one contact."""
        if phone:
            query: Document = {"workspace_id": workspace_id, "contact.phone": phone}
        elif campaign_id and contact_id:
            query = {"_id": enrollment_id(campaign_id, contact_id)}
        else:
            return []
        query["state"] = {"$in": list(OPEN)}
        docs = [d async for d in self.collection.find(query, {"outbox": 0})]
        return [from_doc(d) for d in await self._current(docs) if d["state"] in OPEN]

    async def open_in(self, campaign_id: str, *, limit: int = 1000) -> list[Enrollment]:
        """Open enrollments of one campaign (up to `limit`)."""
        query = {"campaign_id": campaign_id, "state": {"$in": list(OPEN)}}
        docs = [d async for d in self.collection.find(query, {"outbox": 0}).limit(limit)]
        return [from_doc(d) for d in await self._current(docs) if d["state"] in OPEN]

    async def in_flight(self) -> list[Enrollment]:
        """Every active enrollment (a step sent, its outcome awaited); read by a slow sweeper only."""
        docs = [d async for d in self.collection.find({"state": "active"}, {"outbox": 0})]
        return [from_doc(d) for d in await self._current(docs) if d["state"] == "active"]

    async def due_in(self, campaign_id: str, *, now: datetime, limit: int) -> list[Enrollment]:
        """Queued enrollments of one campaign already due, earliest first."""
        query = {"campaign_id": campaign_id, "state": "queued", "due_at": {"$lte": now}}
        docs = [d async for d in self.collection.find(query, {"outbox": 0}).sort("due_at", 1).limit(limit)]
        return [from_doc(d) for d in await self._current(docs) if d["state"] == "queued"]

    async def has_open(self, campaign_id: str) -> bool:
        """Whether an enrollment of the campaign is not terminal. While the roster names open ones, a few of
        them are read by `_id` and one still open answers; only when it names none (or they all closed
        meanwhile) is the collection searched (the server reads it up to the first open one: a campaign
        near its end, asked every second, was a scan of all its enrollments every second)."""
        if self.roster.loaded and (ids := self.roster.after(campaign_id, None, OPEN, 20)):
            query = {"_id": {"$in": [enrollment_id(campaign_id, c) for c in ids]}}
            docs = [d async for d in self.collection.find(query, {"outbox": 0})]
            if any(d["state"] in OPEN for d in await self._current(docs)):
                return True
        found = await self.collection.find_one({"campaign_id": campaign_id, "state": {"$in": list(OPEN)}}, {"_id": 1})
        return found is not None

    async def last_enrolled_at(self, campaign_id: str) -> datetime | None:
        """When the campaign's newest enrollment was made."""
        cursor = self.collection.find({"campaign_id": campaign_id}, {"enrolled_at": 1}).sort("enrolled_at", -1)
        async for doc in cursor.limit(1):
            at: datetime | None = doc.get("enrolled_at")
            return at
        return None

    # --- writing

    async def add(self, enrollment: Enrollment, *, outbox: list[Document], at: datetime) -> bool:
        """Insert a new enrollment; False when it already exists (a redelivered import)."""
        doc = {
            "_id": enrollment_id(enrollment.campaign_id, enrollment.contact_id),
            **to_doc(enrollment),
            "enrolled_at": at,
            **({"outbox": outbox} if outbox else {}),
        }
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError:
            return False
        self._track(enrollment)
        return True

    async def add_many(self, enrollments: list[Enrollment], *, at: datetime) -> list[Enrollment]:
        """Insert new enrollments in one statement (no outbox: their events are published after the insert,
        and again if the batch comes again); those that were new (a redelivered import's exist already).
        The due index learns of them from `track`, once their first events are out."""
        docs = [{"_id": e.doc_id, **to_doc(e), "enrolled_at": at} for e in enrollments]
        new = {d["_id"] for d in await insert_new(self.collection, docs)}
        return [e for e in enrollments if e.doc_id in new]

    def track(self, enrollments: list[Enrollment]) -> None:
        """Put enrollments in the roster and queued ones in the due index (hints: the documents decide)."""
        for enrollment in enrollments:
            self._track(enrollment)

    async def save(self, enrollment: Enrollment, *, expected_version: int, outbox: list[Document]) -> bool:
        """Store `enrollment` if nobody changed it since `expected_version`: the log entry decides, then the
        document follows (a reader completes the update if this process stops in between)."""
        doc_id = enrollment_id(enrollment.campaign_id, enrollment.contact_id)
        fields = to_doc(enrollment)
        entry = {"_id": log_id(doc_id, expected_version), "kind": "save", "set": fields, "outbox": outbox, **written()}
        try:
            await self.log.insert_one(entry)
        except DuplicateKeyError:
            return False
        # race: arbitrated by the log insert above (one writer per version)
        await self.collection.update_one(
            {"_id": doc_id, "version": expected_version}, {**update_to(fields), "$push": {"outbox": {"$each": outbox}}}
        )
        self._track(enrollment)
        return True
