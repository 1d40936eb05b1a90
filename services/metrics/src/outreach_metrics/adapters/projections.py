"""Projections: enrollment states (version-ordered), campaign status, and funnel facts (one per event id)."""

from __future__ import annotations

import contextlib
from typing import Any

from outreach_common.mongo import Document, IndexSpec
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

INDEXES = [
    IndexSpec("enrollments", [("campaign_id", 1), ("state", 1)], name="by_campaign_state"),
    IndexSpec("facts", [("campaign_id", 1), ("kind", 1)], name="by_campaign_kind"),
]


FUNNEL_KINDS = (
    "attempts",
    "calls_placed",
    "answered_human",
    "voicemail",
    "no_answer",
    "busy",
    "failed",
    "sms_sent",
    "sms_delivered",
    "sms_failed",
    "emails_sent",
    "opt_outs",
)


class Projections:
    """The metrics service's read models."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.enrollments = db["enrollments"]
        self.campaigns = db["campaigns"]
        self.facts = db["facts"]

    async def set_enrollment(
        self, *, campaign_id: str, contact_id: str, state: str, reason: str | None, version: int, step_index: int
    ) -> bool:
        """Keep the highest version seen for one enrollment; False when the event was older or repeated."""
        try:
            result = await self.enrollments.update_one(
                {"_id": f"{campaign_id}:{contact_id}", "version": {"$lt": version}},
                {
                    "$set": {
                        "campaign_id": campaign_id,
                        "contact_id": contact_id,
                        "state": state,
                        "reason": reason,
                        "version": version,
                        "step_index": step_index,
                    }
                },
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # a newer version is stored: the upsert's insert collided with it
        return bool(result.upserted_id or result.modified_count)

    async def set_campaign(self, campaign_id: str, changes: Document, *, at: Any) -> None:
        """Record the campaign's status as of `at` (older events do not overwrite newer ones)."""
        with contextlib.suppress(DuplicateKeyError):  # a newer status is stored already
            await self.campaigns.update_one(
                {"_id": campaign_id, "$or": [{"at": {"$lt": at}}, {"at": None}]},
                {"$set": {**changes, "at": at}},
                upsert=True,
            )

    async def add_facts(self, facts: list[Document]) -> None:
        """Store facts by event id (a redelivered event is refused by its id: an insert, never a scan)."""
        if facts:
            with contextlib.suppress(BulkWriteError, DuplicateKeyError):
                await self.facts.insert_many(facts, ordered=False)

    async def overview(self, campaign_id: str) -> Document:
        """Counts by state and reason, funnel counts, status."""
        states: dict[str, int] = {}
        reasons: dict[str, int] = {}
        async for row in await self.enrollments.aggregate(
            [
                {"$match": {"campaign_id": campaign_id}},
                {"$group": {"_id": {"state": "$state", "reason": "$reason"}, "n": {"$sum": 1}}},
            ]
        ):
            state, reason = row["_id"].get("state"), row["_id"].get("reason")
            states[state] = states.get(state, 0) + row["n"]
            if state == "exited" and reason:
                reasons[reason] = reasons.get(reason, 0) + row["n"]
        funnel: dict[str, int] = {}
        by_step: dict[str, dict[str, int]] = {}
        by_day: dict[str, dict[str, int]] = {}
        async for row in await self.facts.aggregate(
            [
                {"$match": {"campaign_id": campaign_id}},
                {"$group": {"_id": {"kind": "$kind", "step": "$step_index", "day": "$day"}, "n": {"$sum": 1}}},
            ]
        ):
            kind, step, day, n = row["_id"]["kind"], row["_id"].get("step"), row["_id"]["day"], row["n"]
            funnel[kind] = funnel.get(kind, 0) + n
            if step is not None:
                per_step = by_step.setdefault(str(step), {})
                per_step[kind] = per_step.get(kind, 0) + n
            per_day = by_day.setdefault(day, {})
            per_day[kind] = per_day.get(kind, 0) + n
        campaign = await self.campaigns.find_one({"_id": campaign_id}) or {}
        return {
            "campaign_id": campaign_id,
            "name": campaign.get("name"),
            "status": campaign.get("status", "unknown"),
            "started_on": campaign.get("started_on"),
            "total": sum(states.values()),
            "queued": states.get("queued", 0),
            "active": states.get("active", 0),
            "errored": states.get("errored", 0),
            "exited": states.get("exited", 0),
            "completed": states.get("completed", 0),
            "exited_by_reason": {r: reasons.get(r, 0) for r in ("answered", "opted_out", "unreachable", "stopped")},
            "funnel": {kind: funnel.get(kind, 0) for kind in FUNNEL_KINDS} | funnel,
            "funnel_by_step": dict(sorted(by_step.items(), key=lambda item: int(item[0]))),
            "funnel_by_day": dict(sorted(by_day.items())),
        }

    async def campaign_ids(self) -> list[str]:
        """Every campaign seen in events."""
        ids = {d["_id"] async for d in self.campaigns.find({}, {"_id": 1})}
        ids |= set(await self.enrollments.distinct("campaign_id"))
        return sorted(ids)
