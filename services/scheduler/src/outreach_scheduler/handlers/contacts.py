"""Enroll imported contacts."""

from __future__ import annotations

from dataclasses import replace

from outreach_common.consumer import PoisonMessage
from outreach_contracts.contacts import ContactImported

from outreach_scheduler.domain.enrollment import enroll, exit_with
from outreach_scheduler.domain.messages import state_events
from outreach_scheduler.handlers.deps import Deps
from outreach_scheduler.handlers.lifecycle import reopen_campaign


async def enroll_contact(event: ContactImported, deps: Deps) -> None:
    """Enroll the contact at its first step's earliest eligible instant (a redelivery changes nothing)."""
    campaign = await deps.campaigns.get(event.campaign_id)
    if campaign is None or campaign.workspace_id != event.workspace_id:  # a contact never crosses workspaces
        raise PoisonMessage(f"unknown campaign {event.campaign_id} in workspace {event.workspace_id}")
    if campaign.status == "stopped":
        return
    if campaign.status == "completed":  # contacts keep arriving (a later upload): the campaign works again
        campaign = await reopen_campaign(campaign, deps)
    enrollment = enroll(
        campaign_id=event.campaign_id,
        contact_id=event.contact_id,
        workspace_id=event.workspace_id,
        contact=event.contact,
        spec=campaign.spec,
        now=deps.clock.now(),
    )
    enrollment = replace(enrollment, trace=event.trace)
    if deps.opt_outs is not None and await deps.opt_outs.contains(event.workspace_id, event.contact.phone):
        enrollment = exit_with(enrollment, "opted_out")
    entries = deps.entries(state_events(enrollment, now=deps.clock.now()), key=event.contact_id)
    if await deps.enrollments.add(enrollment, outbox=entries, at=deps.clock.now()):
        deps.instruments.enrolled.inc()
        await deps.relay_enrollment(event.campaign_id, event.contact_id, entries)
