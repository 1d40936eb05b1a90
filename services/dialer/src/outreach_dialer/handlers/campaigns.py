"""Campaign lifecycle: pause holds queued calls, resume releases them, stop cancels them."""

from __future__ import annotations

from outreach_contracts.campaigns import CampaignPaused, CampaignResumed, CampaignStopped
from outreach_contracts.registry import CampaignEvent

from outreach_dialer.handlers.deps import Deps


async def on_campaign_event(event: CampaignEvent, deps: Deps) -> None:
    """Hold, release or cancel the campaign's queued calls."""
    deps.wake()
    if isinstance(event, CampaignPaused):
        await deps.limits.hold(event.campaign_id, "paused")
    elif isinstance(event, CampaignResumed):
        await deps.limits.release_hold(event.campaign_id)
    elif isinstance(event, CampaignStopped):
        await deps.limits.hold(event.campaign_id, "stopped")
        deps.queue.drop_campaign(event.campaign_id)
        await deps.calls.cancel_queued(event.campaign_id)
