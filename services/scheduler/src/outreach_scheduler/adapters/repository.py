"""Campaigns and enrollments in the scheduler's MongoDB database; messages ride in each document's outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach_common.mongo import Document, IndexSpec, insert_new
from outreach_contracts.contacts import ContactData
from outreach_contracts.envelope import TraceContext
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from outreach_scheduler.domain.campaign import Campaign
from outreach_scheduler.domain.enrollment import Enrollment

INDEXES = [
    IndexSpec("call_log", [("phone", 1), ("at", 1)], name="by_phone"),
    IndexSpec("enrollments", [("claim", 1)], name="by_claim"),
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
    """Calls dispatched per contact number, for the 24-hour caps (workspace-wide and per campaign)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["call_log"]

    async def record(self, enrollments: list[Enrollment], *, at: datetime) -> None:
        """Record dispatched phone steps (idempotent per step attempt: a repeat is refused by its `_id`).

        Inserts, not upserts: on the MongoDB-wire server each upsert reads the whole log."""
        docs = [
            {
                "_id": e.key,
                "workspace_id": e.workspace_id,
                "phone": e.contact.phone,
                "campaign_id": e.campaign_id,
                "at": at,
            }
            for e in enrollments
        ]
        await insert_new(self.collection, docs)

    async def recent(self, *, phones: list[str], since: datetime) -> dict[tuple[str, str], list[tuple[str, datetime]]]:
        """(workspace, phone) -> [(campaign, at)] of calls since `since`."""
        out: dict[tuple[str, str], list[tuple[str, datetime]]] = {}
        cursor = self.collection.find({"phone": {"$in": sorted(set(phones))}, "at": {"$gte": since}})
        async for d in cursor:
            out.setdefault((d["workspace_id"], d["phone"]), []).append((d["campaign_id"], d["at"]))
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
    """Enrollment documents (one per campaign and contact)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["enrollments"]

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
        return bool(result.modified_count)

    async def claim_batch(self, ids: list[str], *, claim: str, at: datetime) -> list[Enrollment]:
        """Claim the still-queued ones among `ids` in one statement (queued -> active); return those won.

        One `update_many` instead of one update per document: FerretDB 1.24 (SQLite) scans the collection on
        every write statement. Only queued documents match, so two instances never both claim one.
        """
        if not ids:
            return []
        await self.collection.update_many(
            {"_id": {"$in": ids}, "state": "queued"},
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
        return [_from_doc(d) async for d in self.collection.find({"claim": claim}, {"outbox": 0})]

    async def mark_published(self, claim: str) -> None:
        """The commands of a claimed batch are on Kafka."""
        await self.collection.update_many({"claim": claim}, {"$set": {"published": True}})

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

    async def count_due(self, *, now: datetime, campaign_ids: list[str]) -> int:
        """How many queued enrollments of the given campaigns are due."""
        if not campaign_ids:
            return 0
        query = {"state": "queued", "due_at": {"$lte": now}, "campaign_id": {"$in": campaign_ids}}
        return await self.collection.count_documents(query)

    async def due(self, *, now: datetime, campaign_ids: list[str], limit: int) -> list[Enrollment]:
        """Queued enrollments of the given campaigns whose due instant has come, earliest first."""
        if not campaign_ids:
            return []
        cursor = (
            self.collection.find(
                {
                    # an enrollment whose earlier messages are not yet published waits, so one contact's
                    # messages reach Kafka in the order of its transitions
                    "state": "queued",
                    "due_at": {"$lte": now},
                    "campaign_id": {"$in": campaign_ids},
                    "outbox": {"$size": 0},
                },
                {"outbox": 0},
            )
            .sort("due_at", 1)
            .limit(limit)
        )
        return [_from_doc(d) async for d in cursor]

    async def last_enrolled_at(self, campaign_id: str) -> datetime | None:
        """When the campaign's newest enrollment was made."""
        cursor = self.collection.find({"campaign_id": campaign_id}, {"enrolled_at": 1}).sort("enrolled_at", -1)
        async for doc in cursor.limit(1):
            at: datetime | None = doc.get("enrolled_at")
            return at
        return None

    async def count_open(self, campaign_id: str) -> int:
        """Enrollments of a campaign that are not terminal."""
        return await self.collection.count_documents(
            {"campaign_id": campaign_id, "state": {"$in": ["queued", "active"]}}
        )

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
