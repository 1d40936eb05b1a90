"""Campaigns and enrollments in the scheduler's MongoDB database; messages ride in each document's outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from outreach_common.mongo import Document, IndexSpec, insert_new
from outreach_contracts.contacts import ContactData
from outreach_contracts.envelope import TraceContext
from pymongo import ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from outreach_scheduler.domain.campaign import Campaign
from outreach_scheduler.domain.caps import DAY
from outreach_scheduler.domain.due_index import DueIndex
from outreach_scheduler.domain.enrollment import Enrollment

INDEXES = [
    IndexSpec("enrollments", [("workspace_id", 1), ("contact.phone", 1)], name="by_phone"),
    IndexSpec("enrollments", [("state", 1), ("due_at", 1)], name="due"),
    IndexSpec("enrollments", [("campaign_id", 1), ("state", 1)], name="by_campaign"),
    IndexSpec("enrollments", [("outbox.at", 1)], name="outbox"),
    IndexSpec("campaigns", [("workspace_id", 1), ("created_at", -1)], name="by_workspace"),
    IndexSpec("campaigns", [("outbox.at", 1)], name="campaign_outbox"),
]


def enrollment_id(campaign_id: str, contact_id: str) -> str:
    """Document id of an enrollment."""
    return f"{campaign_id}:{contact_id}"


def _to_doc(e: Enrollment) -> Document:
    return {
        "campaign_id": e.campaign_id,
        "contact_id": e.contact_id,
        "workspace_id": e.workspace_id,
        "contact": e.contact.model_dump(),
        "state": e.state,
        "step_index": e.step_index,
        "attempt": e.attempt,
        "due_at": e.due_at,
        "version": e.version,
        "reason": e.reason,
        "in_flight_key": e.in_flight_key,
        "failures": e.failures,
        "attempts_total": e.attempts_total,
        "trace": e.trace.model_dump() if e.trace else None,
    }


def _from_doc(doc: Document) -> Enrollment:
    return Enrollment(
        campaign_id=doc["campaign_id"],
        contact_id=doc["contact_id"],
        workspace_id=doc["workspace_id"],
        contact=ContactData.model_validate(doc["contact"]),
        state=doc["state"],
        step_index=doc["step_index"],
        attempt=doc["attempt"],
        due_at=doc.get("due_at"),
        version=doc["version"],
        reason=doc.get("reason"),
        # a batch claim (one update_many) cannot write per-document keys: an active step's key is derived
        in_flight_key=doc.get("in_flight_key")
        or (
            f"{doc['campaign_id']}:{doc['contact_id']}:{doc['step_index']}:{doc['attempt']}"
            if doc["state"] == "active"
            else None
        ),
        failures=doc.get("failures", 0),
        attempts_total=doc.get("attempts_total", 0),
        trace=TraceContext.model_validate(doc["trace"]) if doc.get("trace") else None,
    )


def _campaign_doc(campaign: Campaign) -> Document:
    doc = campaign.model_dump(mode="python", exclude={"id", "spec"})
    doc["spec"] = campaign.spec.model_dump(mode="json")  # dates inside the window are not BSON types
    return doc


def _campaign(doc: Document) -> Campaign:
    fields = {k: v for k, v in doc.items() if k not in ("_id", "outbox")}
    return Campaign.model_validate({**fields, "id": doc["_id"]})


class CallLog:
    """Calls dispatched per contact number and UTC day, for the 24-hour caps (workspace-wide and per campaign).

    One document per workspace, number and day (`ws:+1...:2026-11-24`), so the calls of the last 24 hours of
    a batch's numbers are read by `_id` (today and yesterday) instead of by a query over the whole log."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["call_log"]

    @staticmethod
    def _id(workspace_id: str, phone: str, day: date) -> str:
        return f"{workspace_id}:{phone}:{day.isoformat()}"

    async def record(self, enrollments: list[Enrollment], *, at: datetime) -> None:
        """Record dispatched phone steps (each claimed step attempt is recorded once: its claim is unique)."""
        if not enrollments:
            return
        day = at.astimezone(UTC).date()
        ops = [
            UpdateOne(
                {"_id": self._id(e.workspace_id, e.contact.phone, day)},
                {"$push": {"calls": {"campaign_id": e.campaign_id, "at": at, "key": e.key}}},
                upsert=True,
            )
            for e in enrollments
        ]
        await self.collection.bulk_write(ops, ordered=False)

    async def recent(
        self, *, numbers: list[tuple[str, str]], since: datetime
    ) -> dict[tuple[str, str], list[tuple[str, datetime]]]:
        """(workspace, phone) -> [(campaign, at)] of calls since `since` (at most a day back)."""
        days = sorted({since.astimezone(UTC).date(), (since + DAY).astimezone(UTC).date()})
        ids = [self._id(ws, phone, d) for ws, phone in sorted(set(numbers)) for d in days]
        out: dict[tuple[str, str], list[tuple[str, datetime]]] = {}
        for start in range(0, len(ids), 5000):
            async for doc in self.collection.find({"_id": {"$in": ids[start : start + 5000]}}):
                ws, _, rest = doc["_id"].partition(":")
                phone = rest.rpartition(":")[0]
                for call in doc.get("calls", []):
                    if call["at"] >= since:
                        out.setdefault((ws, phone), []).append((call["campaign_id"], call["at"]))
        return out


class CampaignRepository:
    """Campaign documents."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["campaigns"]

    async def add(self, campaign: Campaign) -> None:
        """Insert a new campaign."""
        await self.collection.insert_one({"_id": campaign.id, **_campaign_doc(campaign), "outbox": []})

    async def get(self, campaign_id: str) -> Campaign | None:
        """A campaign by id."""
        doc = await self.collection.find_one({"_id": campaign_id}, {"outbox": 0})
        return _campaign(doc) if doc else None

    async def recent(self, *, workspace_id: str | None = None, limit: int = 100) -> list[Campaign]:
        """Campaigns, newest first."""
        query = {"workspace_id": workspace_id} if workspace_id else {}
        cursor = self.collection.find(query, {"outbox": 0}).sort("created_at", -1).limit(limit)
        return [_campaign(d) async for d in cursor]

    async def replace(
        self, campaign: Campaign, *, expected_status: str, outbox: list[Document]
    ) -> list[Document] | None:
        """Store `campaign` if its status is still `expected_status`; return the outbox entries to relay."""
        result = await self.collection.update_one(
            {"_id": campaign.id, "status": expected_status},
            {"$set": _campaign_doc(campaign), "$push": {"outbox": {"$each": outbox}}},
        )
        return outbox if result.matched_count else None

    async def ids_with_status(self, status: str) -> list[str]:
        """Ids of campaigns in `status`."""
        return [d["_id"] async for d in self.collection.find({"status": status}, {"_id": 1})]


class EnrollmentRepository:
    """Enrollment documents (one per campaign and contact), with the in-memory index of their due instants.

    The durable timer's reads and writes all go by `_id`: the index says which enrollments are due, the
    documents are read by `_id`, and a claim is a unique insert of `campaign:contact#version` into
    `enrollment_claims`, so of several instances exactly one claims a step even though the MongoDB-wire
    server does not make conditional updates atomic between connections."""

    def __init__(self, db: AsyncDatabase[Document], index: DueIndex | None = None) -> None:
        self.collection = db["enrollments"]
        self.claims = db["enrollment_claims"]
        self.index = index or DueIndex()

    def _track(self, enrollment: Enrollment) -> None:
        if enrollment.state == "queued" and enrollment.due_at is not None:
            self.index.add(enrollment.campaign_id, enrollment.contact_id, enrollment.due_at)

    async def load_index(self) -> int:
        """Rebuild the due index from the queued enrollments (at start, and now and then for the steps other
        instances queued); steps queued here while it reads are kept."""
        self.index.begin_reload()
        cursor = self.collection.find({"state": "queued"}, {"campaign_id": 1, "contact_id": 1, "due_at": 1})
        entries = [(d["campaign_id"], d["contact_id"], d["due_at"]) async for d in cursor if d.get("due_at")]
        self.index.replace(entries)
        return len(entries)

    async def add(self, enrollment: Enrollment, *, outbox: list[Document], at: datetime) -> bool:
        """Insert a new enrollment; False when it already exists (a redelivered import)."""
        doc = {
            "_id": enrollment_id(enrollment.campaign_id, enrollment.contact_id),
            **_to_doc(enrollment),
            "enrolled_at": at,
            "outbox": outbox,
        }
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError:
            return False
        self._track(enrollment)
        return True

    async def get(self, campaign_id: str, contact_id: str) -> Enrollment | None:
        """One enrollment."""
        doc = await self.collection.find_one({"_id": enrollment_id(campaign_id, contact_id)}, {"outbox": 0})
        return _from_doc(doc) if doc else None

    async def save(self, enrollment: Enrollment, *, expected_version: int, outbox: list[Document]) -> bool:
        """Store `enrollment` if nobody changed it since `expected_version` (optimistic concurrency)."""
        result = await self.collection.update_one(
            {"_id": enrollment_id(enrollment.campaign_id, enrollment.contact_id), "version": expected_version},
            {"$set": _to_doc(enrollment), "$push": {"outbox": {"$each": outbox}}},
        )
        if result.modified_count:
            self._track(enrollment)
        return bool(result.modified_count)

    async def claim_batch(self, due: list[Enrollment], *, claim: str, at: datetime) -> list[Enrollment]:
        """Claim these queued enrollments (queued -> active) under the token `claim`; return those won.

        Each claim is first a unique insert of `campaign:contact#version`: of several instances holding the
        same due step exactly one wins it. The winners change in one `update_many` by `_id`, and are read
        back by `_id` and token, so a step that another transition moved meanwhile is not sent."""
        if not due:
            return []
        tickets = [{"_id": f"{e.doc_id}#{e.version}", "claim": claim, "at": at} for e in due]
        won = [t["_id"].rpartition("#")[0] for t in await insert_new(self.claims, tickets)]
        if not won:
            return []
        await self.collection.update_many(
            {"_id": {"$in": won}, "state": "queued"},
            {
                "$set": {
                    "state": "active",
                    "claim": claim,
                    "claimed_at": at,
                    "published": False,
                    "in_flight_key": None,
                },
                "$inc": {"version": 1, "attempts_total": 1},
            },
        )
        return [_from_doc(d) async for d in self.collection.find({"_id": {"$in": won}, "claim": claim}, {"outbox": 0})]

    async def mark_published(self, claim: str, doc_ids: list[str]) -> None:
        """The commands of a claimed batch are on Kafka."""
        if doc_ids:
            await self.collection.update_many({"_id": {"$in": doc_ids}, "claim": claim}, {"$set": {"published": True}})

    async def unpublished_claims(self, *, before: datetime, limit: int = 1000) -> list[tuple[Enrollment, str]]:
        """Claims a crash left unpublished (still active), with their claim tokens."""
        cursor = self.collection.find(
            {"state": "active", "published": False, "claimed_at": {"$lt": before}}, {"outbox": 0}
        ).limit(limit)
        return [(_from_doc(d), d["claim"]) async for d in cursor]

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
        query["state"] = {"$in": ["queued", "active"]}
        return [_from_doc(d) async for d in self.collection.find(query, {"outbox": 0})]

    async def due_in(self, campaign_id: str, *, now: datetime, limit: int) -> list[Enrollment]:
        """Queued enrollments of one campaign already due, earliest first."""
        cursor = (
            self.collection.find(
                {"campaign_id": campaign_id, "state": "queued", "due_at": {"$lte": now}}, {"outbox": 0}
            )
            .sort("due_at", 1)
            .limit(limit)
        )
        return [_from_doc(d) async for d in cursor]

    def count_due(self, *, now: datetime, campaign_ids: list[str]) -> int:
        """About how many queued enrollments of the given campaigns are due (from the index)."""
        return self.index.count_due(now, campaign_ids)

    async def due(self, *, now: datetime, campaign_ids: list[str], limit: int) -> list[Enrollment]:
        """Queued enrollments of the given campaigns whose due instant has come, earliest first.

        The index names them; their documents, read by `_id`, decide: one whose step moved later goes back
        to the index at its new instant, one no longer queued is dropped, and one whose earlier messages
        are not yet published waits a second, so a contact's messages reach Kafka in the order of its
        transitions."""
        if not campaign_ids:
            return []
        if not self.index.loaded:
            await self.load_index()
        pairs = self.index.pop_due(now, campaign_ids, limit)
        if not pairs:
            return []
        ids = [enrollment_id(c, k) for c, k in pairs]
        docs = {d["_id"]: d async for d in self.collection.find({"_id": {"$in": ids}})}
        ready = []
        for (campaign_id, contact_id), doc_id in zip(pairs, ids, strict=True):
            doc = docs.get(doc_id)
            if doc is None or doc["state"] != "queued" or doc.get("due_at") is None:
                continue
            if doc["due_at"] > now:
                self.index.add(campaign_id, contact_id, doc["due_at"])
            elif doc.get("outbox"):
                self.index.add(campaign_id, contact_id, now + timedelta(seconds=1))
            else:
                ready.append(_from_doc(doc))
        return sorted(ready, key=lambda e: e.due_at or now)

    async def last_enrolled_at(self, campaign_id: str) -> datetime | None:
        """When the campaign's newest enrollment was made."""
        cursor = self.collection.find({"campaign_id": campaign_id}, {"enrolled_at": 1}).sort("enrolled_at", -1)
        async for doc in cursor.limit(1):
            at: datetime | None = doc.get("enrolled_at")
            return at
        return None

    async def has_open(self, campaign_id: str) -> bool:
        """Whether an enrollment of the campaign is not terminal (the read stops at the first one found)."""
        found = await self.collection.find_one(
            {"campaign_id": campaign_id, "state": {"$in": ["queued", "active"]}}, {"_id": 1}
        )
        return found is not None

    async def cancel_open(self, campaign_id: str, *, outbox_for: Any) -> int:
        """Exit every open enrollment of a stopped campaign (reason `stopped`); return how many."""
        count = 0
        cursor = self.collection.find(
            {"campaign_id": campaign_id, "state": {"$in": ["queued", "active"]}}, {"outbox": 0}
        )
        async for doc in cursor:
            current = _from_doc(doc)
            updated, entries = outbox_for(current)
            doc_after = await self.collection.find_one_and_update(
                {"_id": doc["_id"], "version": current.version},
                {"$set": _to_doc(updated), "$push": {"outbox": {"$each": entries}}},
                return_document=ReturnDocument.AFTER,
            )
            count += doc_after is not None
        return count
