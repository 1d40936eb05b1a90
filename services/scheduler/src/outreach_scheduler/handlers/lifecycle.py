"""Campaign lifecycle: create, start, schedule, pause, resume, stop, complete."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from outreach_contracts.campaigns import CampaignCreated

from outreach_scheduler.domain import lifecycle
from outreach_scheduler.domain.campaign import Campaign, CampaignSpec
from outreach_scheduler.domain.enrollment import exit_with, postpone
from outreach_scheduler.domain.lifecycle import LifecycleError
from outreach_scheduler.handlers.deps import Deps


async def create_campaign(spec: CampaignSpec, *, workspace_id: str, deps: Deps) -> Campaign:
    """Store a new draft campaign; `CampaignCreated` tells the other services whose campaign it is."""
    campaign = Campaign(
        id=f"cmp_{uuid.uuid4().hex[:12]}", workspace_id=workspace_id, spec=spec, created_at=deps.clock.now()
    )
    event = CampaignCreated(
        occurred_at=campaign.created_at, workspace_id=workspace_id, campaign_id=campaign.id, name=spec.name
    )
    entries = deps.entries([event], key=campaign.id)
    await deps.campaigns.add(campaign, outbox=entries)
    await deps.relay_campaign(campaign.id, entries)
    return campaign


async def _transition(campaign: Campaign, change: lifecycle.Change, deps: Deps) -> Campaign:
    """Store the campaign as it becomes if its status is still what the rule saw, with its event."""
    updated, event = change
    entries = deps.entries([event], key=campaign.id)
    stored = await deps.campaigns.replace(updated, expected_status=campaign.status, outbox=entries)
    if stored is None:
        raise LifecycleError("the campaign changed concurrently; retry")
    await deps.relay_campaign(campaign.id, stored)
    return updated


async def edit_campaign(campaign: Campaign, spec: CampaignSpec, deps: Deps) -> Campaign:
    """Store an edited spec (see `lifecycle.edit` for when a campaign may be edited)."""
    updated = lifecycle.edit(campaign, spec)
    stored = await deps.campaigns.replace(updated, expected_status=campaign.status, outbox=[])
    if stored is None:
        raise LifecycleError("the campaign changed concurrently; retry")
    return updated


async def start_campaign(campaign: Campaign, *, at: datetime | None, deps: Deps) -> Campaign:
    """Start now, or schedule a start at `at` (a future instant)."""
    return await _transition(campaign, lifecycle.start(campaign, now=deps.clock.now(), at=at), deps)


async def pause_campaign(campaign: Campaign, deps: Deps) -> Campaign:
    """No new dispatch; in-flight steps finish; all state kept."""
    return await _transition(campaign, lifecycle.pause(campaign, now=deps.clock.now()), deps)


async def resume_campaign(campaign: Campaign, deps: Deps) -> Campaign:
    """Active again; steps that fell due during the pause go out through the paced dispatcher."""
    change = lifecycle.resume(campaign, now=deps.clock.now())
    await pace_backlog(campaign, deps)
    return await _transition(campaign, change, deps)


async def pace_backlog(campaign: Campaign, deps: Deps, *, batch: int = 1000) -> int:
    """Spread steps that fell due during a pause at `resume_rate_per_s`, each at its earliest eligible instant."""
    now = deps.clock.now()
    paced = 0
    while True:
        backlog = await deps.enrollments.due_in(campaign.id, now=now, limit=batch)
        if not backlog:
            return paced
        for enrollment in backlog:
            until = now + timedelta(seconds=(paced + 1) / deps.resume_rate_per_s)
            await deps.transition(enrollment, postpone(enrollment, campaign.spec, until=until))
            paced += 1


async def stop_campaign(campaign: Campaign, deps: Deps) -> Campaign:
    """Terminal: future steps are cancelled and open enrollments exit with reason `stopped`."""
    updated = await _transition(campaign, lifecycle.stop(campaign, now=deps.clock.now()), deps)
    await exit_open(campaign.id, "stopped", deps)
    return updated


async def exit_open(campaign_id: str, reason: str, deps: Deps) -> int:
    """Exit every open enrollment of a campaign with `reason`; return how many. An enrollment that another
    writer changed meanwhile is read again in the next round."""
    exited = 0
    while batch := await deps.enrollments.open_in(campaign_id):
        done = [await deps.transition(e, exit_with(e, reason)) for e in batch]
        exited += sum(done)
        if not any(done):
            break
    return exited


async def complete_finished(deps: Deps) -> int:
    """Mark active campaigns whose every enrollment is terminal as completed; return how many."""
    done = 0
    for campaign_id in await deps.campaigns.ids_with_status("active"):
        campaign = await deps.campaigns.get(campaign_id)
        if campaign is None or campaign.status != "active" or await deps.enrollments.has_open(campaign_id):
            continue
        last = await deps.enrollments.last_enrolled_at(campaign_id)
        if last is None or last > deps.clock.now() - timedelta(seconds=deps.completion_grace_s):
            continue  # nothing enrolled yet, or an import may still be arriving
        await _transition(campaign, lifecycle.complete(campaign, now=deps.clock.now()), deps)
        done += 1
    return done


async def reopen_campaign(campaign: Campaign, deps: Deps) -> Campaign:
    """A completed campaign that receives new contacts becomes active again."""
    return await _transition(campaign, lifecycle.reopen(campaign, now=deps.clock.now()), deps)


async def start_scheduled(deps: Deps) -> int:
    """Start scheduled campaigns whose start instant has come; return how many."""
    started = 0
    now = deps.clock.now()
    for campaign_id in await deps.campaigns.ids_with_status("scheduled"):
        campaign = await deps.campaigns.get(campaign_id)
        if campaign is not None and lifecycle.may_start_scheduled(campaign, now=now):
            await start_campaign(campaign, at=None, deps=deps)
            started += 1
    return started
