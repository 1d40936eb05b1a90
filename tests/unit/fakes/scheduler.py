"""In-memory fakes of the scheduler's storage interfaces (`outreach_scheduler.handlers.ports`), with the
same rules as the MongoDB repositories: versioned saves refused when stale, one claim per version, an
outbox per document that `relay` publishes and clears."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from outreach_common.kafka import EventBus
from outreach_common.mongo import Document
from outreach_common.outbox import publish
from outreach_scheduler.domain.campaign import Campaign
from outreach_scheduler.domain.enrollment import Enrollment, dispatch

OPEN = ("queued", "active")


class FakeCampaigns:
    def __init__(self) -> None:
        self.docs: dict[str, Campaign] = {}
        self.outbox: dict[str, list[Document]] = defaultdict(list)

    async def add(self, campaign: Campaign, *, outbox: list[Document]) -> None:
        assert campaign.id not in self.docs
        self.docs[campaign.id] = campaign
        self.outbox[campaign.id] += outbox

    async def get(self, campaign_id: str) -> Campaign | None:
        return self.docs.get(campaign_id)

    async def recent(
        self, *, workspace_id: str, limit: int = 100, after: tuple[datetime, str] | None = None
    ) -> list[Campaign]:
        mine = sorted((c for c in self.docs.values() if c.workspace_id == workspace_id),
                      key=lambda c: (c.created_at, c.id), reverse=True)  # fmt: skip
        return [c for c in mine if after is None or (c.created_at, c.id) < after][:limit]

    async def replace(
        self, campaign: Campaign, *, expected_status: str, outbox: list[Document]
    ) -> list[Document] | None:
        if self.docs[campaign.id].status != expected_status:
            return None
        self.docs[campaign.id] = campaign
        self.outbox[campaign.id] += outbox
        return outbox

    async def ids_with_status(self, status: str) -> list[str]:
        return [c.id for c in self.docs.values() if c.status == status]

    async def relay(self, campaign_id: str, entries: list[Document], bus: EventBus) -> None:
        await publish(entries, bus)
        self.outbox[campaign_id] = [e for e in self.outbox[campaign_id] if e not in entries]


class FakeEnrollments:
    def __init__(self) -> None:
        self.docs: dict[str, Enrollment] = {}
        self.enrolled_at: dict[str, datetime] = {}
        self.outbox: dict[str, list[Document]] = defaultdict(list)
        self.claims: dict[str, str] = {}  # doc id#version -> claim
        self.batches: dict[str, tuple[datetime, list[Enrollment]]] = {}
        self.tracked: list[Enrollment] = []  # what the due index was told of

    async def page(
        self, campaign_id: str, *, states: tuple[str, ...] | None, after: str | None, limit: int
    ) -> list[Enrollment]:
        mine = sorted((e for e in self.docs.values() if e.campaign_id == campaign_id), key=lambda e: e.contact_id)
        found = [e for e in mine if (after is None or e.contact_id > after) and (states is None or e.state in states)]
        return found[:limit]

    async def get(self, campaign_id: str, contact_id: str) -> Enrollment | None:
        return self.docs.get(f"{campaign_id}:{contact_id}")

    async def open_for(
        self, *, workspace_id: str, phone: str | None, campaign_id: str | None, contact_id: str | None
    ) -> list[Enrollment]:
        if phone:
            found = [e for e in self.docs.values() if e.workspace_id == workspace_id and e.contact.phone == phone]
        elif campaign_id and contact_id:
            found = [e for e in [self.docs.get(f"{campaign_id}:{contact_id}")] if e is not None]
        else:
            return []
        return [e for e in found if e.state in OPEN]

    async def open_in(self, campaign_id: str, *, limit: int = 1000) -> list[Enrollment]:
        return [e for e in self.docs.values() if e.campaign_id == campaign_id and e.state in OPEN][:limit]

    async def in_flight(self) -> list[Enrollment]:
        return [e for e in self.docs.values() if e.state == "active"]

    async def due_in(self, campaign_id: str, *, now: datetime, limit: int) -> list[Enrollment]:
        due = [e for e in self.docs.values() if e.campaign_id == campaign_id and self._due(e, now)]
        return sorted(due, key=lambda e: e.due_at or now)[:limit]

    async def has_open(self, campaign_id: str) -> bool:
        return bool(await self.open_in(campaign_id, limit=1))

    async def last_enrolled_at(self, campaign_id: str) -> datetime | None:
        times = [at for doc_id, at in self.enrolled_at.items() if doc_id.startswith(f"{campaign_id}:")]
        return max(times, default=None)

    async def add(self, enrollment: Enrollment, *, outbox: list[Document], at: datetime) -> bool:
        if enrollment.doc_id in self.docs:
            return False
        self.docs[enrollment.doc_id] = enrollment
        self.enrolled_at[enrollment.doc_id] = at
        self.outbox[enrollment.doc_id] += outbox
        return True

    async def add_many(self, enrollments: list[Enrollment], *, at: datetime) -> list[Enrollment]:
        return [e for e in enrollments if await self.add(e, outbox=[], at=at)]

    def track(self, enrollments: list[Enrollment]) -> None:
        self.tracked += enrollments

    async def save(self, enrollment: Enrollment, *, expected_version: int, outbox: list[Document]) -> bool:
        stored = self.docs.get(enrollment.doc_id)
        if stored is None or stored.version != expected_version:
            return False
        self.docs[enrollment.doc_id] = enrollment
        self.outbox[enrollment.doc_id] += outbox
        return True

    def count_due(self, *, now: datetime, campaign_ids: list[str]) -> int:
        return sum(1 for e in self.docs.values() if e.campaign_id in campaign_ids and self._due(e, now))

    async def due(self, *, now: datetime, campaign_ids: list[str], limit: int) -> list[Enrollment]:
        due = [e for e in self.docs.values() if e.campaign_id in campaign_ids and self._due(e, now)]
        return sorted(due, key=lambda e: e.due_at or now)[:limit]

    async def claim_batch(self, due: list[Enrollment], *, claim: str, at: datetime) -> list[Enrollment]:
        won = []
        for enrollment in due:
            key = f"{enrollment.doc_id}#{enrollment.version}"
            if key not in self.claims and self.docs[enrollment.doc_id].version == enrollment.version:
                self.claims[key] = claim
                self.docs[enrollment.doc_id] = dispatch(enrollment)
                won.append(self.docs[enrollment.doc_id])
        self.batches[claim] = (at, won)
        return won

    async def mark_published(self, claim: str) -> None:
        self.batches.pop(claim, None)

    async def unpublished_claims(self, *, before: datetime, limit: int = 20) -> list[tuple[Enrollment, str]]:
        found = []
        for claim, (at, won) in list(self.batches.items())[:limit]:
            keys = {w.in_flight_key for w in won}
            current = [self.docs[e.doc_id] for e in won] if at < before else []
            found += [(e, claim) for e in current if e.state == "active" and e.in_flight_key in keys]
        return found

    async def relay(self, doc_id: str, entries: list[Document], bus: EventBus) -> None:
        await publish(entries, bus)
        self.outbox[doc_id] = [e for e in self.outbox[doc_id] if e not in entries]

    @staticmethod
    def _due(e: Enrollment, now: datetime) -> bool:
        return e.state == "queued" and e.due_at is not None and e.due_at <= now


class FakeCallCounts:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, datetime]] = []  # workspace, phone, campaign, at

    async def record(self, enrollments: list[Enrollment], *, at: datetime) -> None:
        self.calls += [(e.workspace_id, e.contact.phone, e.campaign_id, at) for e in enrollments]

    async def recent(
        self, *, numbers: list[tuple[str, str]], since: datetime
    ) -> dict[tuple[str, str], list[tuple[str, datetime]]]:
        out: dict[tuple[str, str], list[tuple[str, datetime]]] = {}
        for ws, phone, campaign, at in self.calls:
            if (ws, phone) in numbers and since <= at <= since + timedelta(days=1):
                out.setdefault((ws, phone), []).append((campaign, at))
        return out


class FakeOptOuts:
    def __init__(self) -> None:
        self.numbers: dict[tuple[str, str], dict[str, Any]] = {}

    async def record(self, workspace_id: str, phone: str, *, channel: str, at: datetime) -> None:
        self.numbers.setdefault((workspace_id, phone), {"channel": channel, "at": at})

    async def contains(self, workspace_id: str, phone: str) -> bool:
        return (workspace_id, phone) in self.numbers

    async def among(self, workspace_id: str, phones: list[str]) -> set[str]:
        return {p for p in phones if (workspace_id, p) in self.numbers}
