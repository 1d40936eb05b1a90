"""Project batches of events: store what is new, then count it in the in-memory overview."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any

from outreach_common.journey import mark
from outreach_common.mongo import Document
from outreach_contracts.campaigns import CampaignCompleted, CampaignStarted
from outreach_contracts.enrollments import EnrollmentChanged
from outreach_contracts.envelope import Envelope

from outreach_metrics.adapters.projections import Projections
from outreach_metrics.domain.funnel import fact_of
from outreach_metrics.domain.overview import Overview

TERMINAL = frozenset({"exited", "completed"})
CAMPAIGN_STATUS = {
    "CampaignCreated": "draft",
    "CampaignStarted": "active",
    "CampaignScheduled": "scheduled",
    "CampaignPaused": "paused",
    "CampaignResumed": "active",
    "CampaignStopped": "stopped",
    "CampaignCompleted": "completed",
}


def state_row(event: EnrollmentChanged) -> Document:
    """One stored state change; its id is the enrollment and version, so a repeat is refused."""
    return {
        "_id": f"{event.campaign_id}:{event.contact_id}:{event.version}",
        "campaign_id": event.campaign_id,
        "contact_id": event.contact_id,
        "version": event.version,
        "state": event.state,
        "reason": event.reason,
    }


def fact_row(event: Envelope) -> Document | None:
    """One stored funnel fact, by event id; None for events that are not facts."""
    kind = fact_of(event)
    campaign_id = getattr(event, "campaign_id", None)
    if kind is None or campaign_id is None:
        return None
    return {
        "_id": str(event.event_id),
        "campaign_id": campaign_id,
        "kind": kind,
        "step_index": getattr(event, "step_index", None),
        "day": event.occurred_at.date().isoformat(),
        "hour": event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H"),
    }


class Projector:
    """Keeps the stored rows and the in-memory overview in step."""

    def __init__(self, store: Projections, overview: Overview) -> None:
        self.store = store
        self.overview = overview
        self._stale = True  # loaded from the store before the first batch

    async def load(self) -> int:
        """Rebuild the overview from the store (at start, and after a failed write)."""
        self.overview.reset()
        rows = await self.store.load(self.overview)
        self._stale = False
        return rows

    async def project(self, events: Sequence[Envelope]) -> None:
        """Store a batch's new state changes and facts and count them; campaign events set the status.

        Of an enrollment's changes only the newest one of the batch, and only when it is newer than the one
        counted, is stored: counting a state change is idempotent by version, so older ones add nothing.
        """
        if self._stale:
            await self.load()
        newest: dict[tuple[str, str], EnrollmentChanged] = {}
        facts: list[Document] = []
        for event in events:
            if isinstance(event, EnrollmentChanged):
                key = (event.campaign_id, event.contact_id)
                best = newest.get(key)
                if (best is None or event.version > best.version) and event.version > self.overview.version_of(*key):
                    newest[key] = event
            elif (fact := fact_row(event)) is not None:
                facts.append(fact)
            if getattr(event, "type", "") in CAMPAIGN_STATUS:
                await self.set_campaign(event)
        states = [state_row(event) for event in newest.values()]
        try:
            _, new_facts = await self.store.add(states, facts)
        except Exception:
            self._stale = True  # some rows may be stored without being counted: recount before the next batch
            raise
        count = self.overview
        for row in states:  # a row refused as stored already is counted already: applying it again is a no-op
            count.apply_state(row["campaign_id"], row["contact_id"], row["version"], row["state"], row["reason"])
        for event in newest.values():  # the journey's last step is counted: one span in the contact's trace
            if event.state in TERMINAL:  # (only changes newer than the counted ones are in `newest`)
                mark(event.trace, "overview counted", state=event.state, campaign_id=event.campaign_id)
        for row in new_facts:
            count.add_fact(row["campaign_id"], row["kind"], row["step_index"], row["hour"])

    async def set_campaign(self, event: Envelope) -> None:
        """Campaign status, name and start date."""
        campaign_id, kind = getattr(event, "campaign_id", ""), getattr(event, "type", "")
        changes: dict[str, Any] = {
            "status": CAMPAIGN_STATUS[kind],
            "name": getattr(event, "name", ""),
            "workspace_id": event.workspace_id,
        }
        if isinstance(event, CampaignStarted):
            changes["started_on"] = event.occurred_at
        if isinstance(event, CampaignCompleted):
            changes["completed_on"] = event.occurred_at
        await self.store.set_campaign(campaign_id, changes, at=event.occurred_at)

    async def view(self, campaign_id: str, workspace_id: str) -> dict[str, Any] | None:
        """The campaign's overview; None unless a campaign event of the workspace was seen for it."""
        campaign = await self.store.campaign(campaign_id)
        if campaign.get("workspace_id") != workspace_id:
            return None
        return {
            "campaign_id": campaign_id,
            "name": campaign.get("name"),
            "status": campaign.get("status", "unknown"),
            "started_on": campaign.get("started_on"),
            **self.overview.view(campaign_id),
        }

    async def campaign_ids(self, workspace_id: str) -> list[str]:
        """Campaigns of the workspace seen in campaign events."""
        return sorted(await self.store.campaign_ids(workspace_id))
