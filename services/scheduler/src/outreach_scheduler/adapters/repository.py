"""Campaigns and the call log in the scheduler's MongoDB database (enrollments: `enrollments.py`); messages
ride in each document's outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime

from outreach_common.cursors import page_after
from outreach_common.kafka import EventBus
from outreach_common.mongo import Document, IndexSpec
from outreach_common.outbox import relay
from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from outreach_scheduler.domain.campaign import Campaign
from outreach_scheduler.domain.caps import DAY
from outreach_scheduler.domain.enrollment import Enrollment

INDEXES = [
    IndexSpec("enrollments", [("workspace_id", 1), ("contact.phone", 1)], name="by_phone"),
    IndexSpec("enrollments", [("state", 1), ("due_at", 1)], name="due"),
    IndexSpec("enrollments", [("campaign_id", 1), ("state", 1)], name="by_campaign"),
    IndexSpec("enrollments", [("outbox.at", 1)], name="outbox"),
    IndexSpec("campaigns", [("workspace_id", 1), ("created_at", -1)], name="by_workspace"),
    IndexSpec("campaigns", [("outbox.at", 1)], name="campaign_outbox"),
]


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

    async def add(self, campaign: Campaign, *, outbox: list[Document]) -> None:
        """Insert a new campaign with the messages its creation causes."""
        await self.collection.insert_one({"_id": campaign.id, **_campaign_doc(campaign), "outbox": outbox})

    async def get(self, campaign_id: str) -> Campaign | None:
        """A campaign by id."""
        doc = await self.collection.find_one({"_id": campaign_id}, {"outbox": 0})
        return _campaign(doc) if doc else None

    async def recent(
        self, *, workspace_id: str, limit: int = 100, after: tuple[datetime, str] | None = None
    ) -> list[Campaign]:
        """The workspace's campaigns, newest first (creation time, then id), after the cursor (creation time,
        id) of the previous page."""
        query: Document = {"workspace_id": workspace_id, **page_after("created_at", after)}
        cursor = self.collection.find(query, {"outbox": 0}).sort([("created_at", -1), ("_id", -1)]).limit(limit)
        return [_campaign(d) async for d in cursor]

    async def replace(
        self, campaign: Campaign, *, expected_status: str, outbox: list[Document]
    ) -> list[Document] | None:
        """Store `campaign` if its status is still `expected_status`; return the outbox entries to relay."""
        # race: two changes from one status at once (pause and stop) may both match; the later write wins and
        # both events are published. Not arbitrated by an insert: a scheduler killed between such an insert
        # and this write would block the campaign's lifecycle for good (next: a log its readers catch up on)
        result = await self.collection.update_one(
            {"_id": campaign.id, "status": expected_status},
            {"$set": _campaign_doc(campaign), "$push": {"outbox": {"$each": outbox}}},
        )
        return outbox if result.matched_count else None

    async def ids_with_status(self, status: str) -> list[str]:
        """Ids of campaigns in `status`."""
        return [d["_id"] async for d in self.collection.find({"status": status}, {"_id": 1})]

    async def relay(self, campaign_id: str, entries: list[Document], bus: EventBus) -> None:
        """Publish a campaign's new outbox entries and clear them."""
        await relay(self.collection, campaign_id, entries, bus)
