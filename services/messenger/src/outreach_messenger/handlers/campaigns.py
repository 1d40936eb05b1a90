"""Campaign lifecycle: pause holds the campaign's sends, resume sends them, stop cancels them."""

from __future__ import annotations

from outreach_contracts.envelope import Envelope

from outreach_messenger.handlers.deps import Deps
from outreach_messenger.handlers.send import COMMAND, process


async def on_campaign_event(event: Envelope, deps: Deps) -> None:
    """Remember paused and stopped campaigns; forget a pause on resume."""
    kind = getattr(event, "type", "")
    campaign_id = getattr(event, "campaign_id", "")
    if kind in ("CampaignPaused", "CampaignStopped"):
        await deps.messages.holds.update_one({"_id": campaign_id}, {"$set": {"status": kind}}, upsert=True)
    elif kind == "CampaignResumed":
        await deps.messages.holds.delete_one({"_id": campaign_id, "status": "CampaignPaused"})
    else:
        return
    if kind != "CampaignPaused":  # resumed: send what was held (windows re-checked); stopped: cancel it
        for doc in await deps.messages.held(campaign_id):
            await process(COMMAND.validate_python(doc["command"]), deps)
