"""Campaign lifecycle: pause holds the campaign's sends, resume sends them, stop cancels them."""

from __future__ import annotations

from outreach_contracts.campaigns import CampaignPaused, CampaignResumed, CampaignStopped

from outreach_messenger.handlers.deps import Deps
from outreach_messenger.handlers.send import COMMAND, process


async def campaign_paused(event: CampaignPaused, deps: Deps) -> None:
    """Hold the campaign's sends."""
    await deps.messages.hold(event.campaign_id, "CampaignPaused")


async def campaign_resumed(event: CampaignResumed, deps: Deps) -> None:
    """Forget the pause and send what was held (windows, opt-outs and holds checked again)."""
    await deps.messages.release_pause(event.campaign_id)
    await _settle_held(event.campaign_id, deps)


async def campaign_stopped(event: CampaignStopped, deps: Deps) -> None:
    """Remember the stop; the held sends are canceled."""
    await deps.messages.hold(event.campaign_id, "CampaignStopped")
    await _settle_held(event.campaign_id, deps)


async def _settle_held(campaign_id: str, deps: Deps) -> None:
    for doc in await deps.messages.held(campaign_id):
        await process(COMMAND.validate_python(doc["command"]), deps)
