"""Campaign lifecycle: pause holds queued calls, resume releases them, stop cancels them."""

from __future__ import annotations

from outreach_contracts.campaigns import CampaignPaused, CampaignResumed, CampaignStopped

from outreach_dialer.handlers.deps import Deps


async def campaign_paused(event: CampaignPaused, deps: Deps) -> None:
    """Hold the campaign's queued calls."""
    deps.wake()
    await deps.limits.hold(event.campaign_id, "paused")


async def campaign_resumed(event: CampaignResumed, deps: Deps) -> None:
    """Release the campaign's held calls."""
    deps.wake()
    await deps.limits.release_hold(event.campaign_id)


async def campaign_stopped(event: CampaignStopped, deps: Deps) -> None:
    """Cancel the campaign's queued calls (a held campaign stays held: nothing of it is dialed again)."""
    deps.wake()
    await deps.limits.hold(event.campaign_id, "stopped")
    deps.run.queue.drop_campaign(event.campaign_id)
    await deps.calls.cancel_queued(event.campaign_id)
