"""The durable timer: claim due enrollments in batches and send their step commands."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

from outreach_scheduler.domain.campaign import CampaignSpec, PhoneStep
from outreach_scheduler.domain.caps import RecentCall, cap_release
from outreach_scheduler.domain.enrollment import Enrollment, dispatch, postpone
from outreach_scheduler.domain.messages import state_events, step_command
from outreach_scheduler.handlers.deps import Deps


async def dispatch_due(deps: Deps, *, limit: int = 500) -> int:
    """Claim due steps of active campaigns (version-checked: instances never both claim one); return count."""
    active = await deps.campaigns.ids_with_status("active")
    now = deps.clock.now()
    due = await deps.enrollments.due(now=now, campaign_ids=active, limit=limit)
    if not due:
        return 0
    specs: dict[str, CampaignSpec] = {}
    for campaign_id in {e.campaign_id for e in due}:
        campaign = await deps.campaigns.get(campaign_id)
        if campaign is not None:
            specs[campaign_id] = campaign.spec
    due = [e for e in due if e.campaign_id in specs]
    held = await _apply_caps(due, specs, deps)
    claims: list[tuple[Enrollment, Enrollment, list[dict[str, object]]]] = []
    for enrollment in due:
        spec = specs[enrollment.campaign_id]
        if enrollment.contact_id in held:
            updated = postpone(enrollment, spec, until=held[enrollment.contact_id])
            entries = deps.entries(state_events(updated, now=now), key=enrollment.contact_id)
        else:
            updated = dispatch(enrollment)
            messages = [step_command(updated, spec, now=now), *state_events(updated, now=now)]
            entries = deps.entries(messages, key=enrollment.contact_id)
        claims.append((enrollment, updated, entries))
    won = await deps.enrollments.save_many(
        [(old.version, new, entries) for old, new, entries in claims], claim=uuid.uuid4().hex
    )
    winners = [(new, entries) for _, new, entries in claims if new.doc_id in won]
    await deps.calls_log.record(
        [
            new
            for new, _ in winners
            if new.state == "active" and isinstance(specs[new.campaign_id].flow[new.step_index], PhoneStep)
        ],
        at=now,
    )
    await asyncio.gather(*(deps.publish_entries(entries) for _, entries in winners))
    await deps.enrollments.clear_outboxes([(new.doc_id, entries) for new, entries in winners])
    return sum(1 for new, _ in winners if new.state == "active")


async def _apply_caps(due: list[Enrollment], specs: dict[str, CampaignSpec], deps: Deps) -> dict[str, datetime]:
    """Contacts whose phone steps must wait for a call cap, with the instant they may go."""
    phone_due = [e for e in due if isinstance(specs[e.campaign_id].flow[e.step_index], PhoneStep)]
    if not phone_due:
        return {}
    now = deps.clock.now()
    recent = await deps.calls_log.recent(phones=[e.contact.phone for e in phone_due], since=now - timedelta(hours=24))
    held: dict[str, datetime] = {}
    for e in phone_due:
        spec = specs[e.campaign_id]
        calls = [RecentCall(campaign_id=c, at=at) for c, at in recent.get((e.workspace_id, e.contact.phone), [])]
        release = cap_release(
            calls,
            campaign_id=e.campaign_id,
            state=e.contact.state,
            compliance=spec.window.compliance,
            workspace_cap=deps.workspace_call_cap,
        )
        if release is not None:
            held[e.contact_id] = release
    return held
