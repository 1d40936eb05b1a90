"""Campaign lifecycle: pause and stop hold the campaign's sends."""

from __future__ import annotations

from outreach_contracts.envelope import Envelope

from outreach_messenger.handlers.deps import Deps


async def on_campaign_event(event: Envelope, deps: Deps) -> None:
    """Remember paused and stopped campaigns; forget a pause on resume."""
    kind = getattr(event, "type", "")
    campaign_id = getattr(event, "campaign_id", "")
    if kind in ("CampaignPaused", "CampaignStopped"):
        await deps.messages.holds.update_one({"_id": campaign_id}, {"$set": {"status": kind}}, upsert=True)
    elif kind == "CampaignResumed":
        await deps.messages.holds.delete_one({"_id": campaign_id, "status": "CampaignPaused"})
