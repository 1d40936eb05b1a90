"""Enroll imported contacts, a batch at a time."""

from __future__ import annotations

import logging
from dataclasses import replace
from uuid import NAMESPACE_URL, uuid5

from outreach_common.consumer import PoisonMessage
from outreach_common.mongo import Document
from outreach_common.outbox import publish
from outreach_contracts.contacts import ContactImported
from outreach_contracts.envelope import Envelope

from outreach_scheduler.domain.campaign import Campaign
from outreach_scheduler.domain.enrollment import Enrollment, enroll, exit_with
from outreach_scheduler.domain.messages import state_events
from outreach_scheduler.handlers.deps import Deps
from outreach_scheduler.handlers.lifecycle import reopen_campaign

logger = logging.getLogger(__name__)


async def enroll_contact(event: ContactImported, deps: Deps) -> None:
    """Enroll one contact; a contact of a campaign this workspace does not have is a poison message."""
    campaign = await deps.campaigns.get(event.campaign_id)
    if campaign is None or campaign.workspace_id != event.workspace_id:  # a contact never crosses workspaces
        raise PoisonMessage(f"unknown campaign {event.campaign_id} in workspace {event.workspace_id}")
    await enroll_batch([event], deps)


async def enroll_batch(events: list[object], deps: Deps) -> None:
    """Enroll each contact at its first step's earliest eligible instant: one read per campaign, one opt-out
    read per workspace, one insert and one publish for the whole batch (an import of a million contacts is a
    few hundred batches). A redelivered batch stores nothing twice and publishes the same events again."""
    imported = [e for e in events if isinstance(e, ContactImported)]
    campaigns: dict[str, Campaign | None] = {}
    for campaign_id in dict.fromkeys(e.campaign_id for e in imported):
        campaigns[campaign_id] = await deps.campaigns.get(campaign_id)
    opted = await _opted_out(imported, deps)
    now = deps.clock.now()
    prepared: list[Enrollment] = []
    entries: list[Document] = []
    for event in {(e.campaign_id, e.contact_id): e for e in imported}.values():  # a contact once a batch
        campaign = campaigns.get(event.campaign_id)
        if campaign is None or campaign.workspace_id != event.workspace_id:  # a contact never crosses workspaces
            logger.warning("contact %s: unknown campaign %s in its workspace", event.contact_id, event.campaign_id)
            continue
        if campaign.status == "stopped":
            continue
        if campaign.status == "completed":  # contacts keep arriving (a later upload): the campaign works again
            campaign = campaigns[event.campaign_id] = await reopen_campaign(campaign, deps)
        enrollment = enroll(
            campaign_id=event.campaign_id,
            contact_id=event.contact_id,
            workspace_id=event.workspace_id,
            contact=event.contact,
            spec=campaign.spec,
            now=now,
        )
        enrollment = replace(enrollment, trace=event.trace)
        if (event.workspace_id, event.contact.phone) in opted:
            enrollment = exit_with(enrollment, "opted_out")
        prepared.append(enrollment)
        first = [_same_every_time(m, enrollment) for m in state_events(enrollment, now=now)]
        entries += deps.entries(first, key=event.contact_id, trace=event.trace)  # the contact's journey
    added = await deps.enrollments.add_many(prepared, at=now)
    deps.instruments.enrolled.inc(len(added))
    # After the insert, for every contact of the batch, new or not: a batch that failed after its insert
    # comes again and publishes what it may not have; the ids are the same, so nothing counts twice.
    await publish(entries, deps.bus)
    deps.enrollments.track(prepared)  # only now may the timer claim them: their first events come first


def _same_every_time(message: Envelope, enrollment: Enrollment) -> Envelope:
    """The enrollment's first events with ids of their own (the same whenever the contact is enrolled
    again), so a republished one is recognised by every consumer."""
    name = f"enrolled:{enrollment.doc_id}:{type(message).__name__}"
    return message.model_copy(update={"event_id": uuid5(NAMESPACE_URL, name)})


async def _opted_out(events: list[ContactImported], deps: Deps) -> set[tuple[str, str]]:
    """(workspace, phone) pairs of the batch that opted out."""
    if deps.opt_outs is None:
        return set()
    phones: dict[str, list[str]] = {}
    for event in events:
        phones.setdefault(event.workspace_id, []).append(event.contact.phone)
    return {(ws, phone) for ws, numbers in phones.items() for phone in await deps.opt_outs.among(ws, numbers)}
