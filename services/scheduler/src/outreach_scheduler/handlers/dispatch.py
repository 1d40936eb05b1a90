"""The durable timer: claim due enrollments and send their step commands."""

from __future__ import annotations

from outreach_scheduler.domain.enrollment import dispatch
from outreach_scheduler.domain.messages import state_events, step_command
from outreach_scheduler.handlers.deps import Deps


async def dispatch_due(deps: Deps, *, limit: int = 500) -> int:
    """Claim due steps of active campaigns (version-checked, so instances never both claim one); return count."""
    active = await deps.campaigns.ids_with_status("active")
    now = deps.clock.now()
    due = await deps.enrollments.due(now=now, campaign_ids=active, limit=limit)
    specs = {}
    sent = 0
    for enrollment in due:
        if enrollment.campaign_id not in specs:
            campaign = await deps.campaigns.get(enrollment.campaign_id)
            if campaign is None:
                continue
            specs[enrollment.campaign_id] = campaign.spec
        claimed = dispatch(enrollment)
        messages = [step_command(claimed, specs[enrollment.campaign_id], now=now), *state_events(claimed, now=now)]
        entries = deps.entries(messages, key=enrollment.contact_id)
        if await deps.enrollments.save(claimed, expected_version=enrollment.version, outbox=entries):
            await deps.relay_enrollment(enrollment.campaign_id, enrollment.contact_id, entries)
            sent += 1
    return sent
