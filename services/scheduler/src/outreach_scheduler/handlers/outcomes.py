"""React to step outcomes: exit, schedule the next step, or complete."""

from __future__ import annotations

from outreach_contracts.calls import CallAnalyzed, CallCompleted, CallDeferred, CallPlaced, NumberRested
from outreach_contracts.messages import ContactOptedOut, MessageDelivery, MessageFailed, MessageSent

from outreach_scheduler.domain.enrollment import exit_with, on_outcome, schedule_step
from outreach_scheduler.handlers.deps import Deps


async def apply_outcome(*, campaign_id: str, contact_id: str, key: str, outcome: str, deps: Deps) -> None:
    """Apply one step outcome to its enrollment (ignored when stale or repeated)."""
    for _ in range(5):  # optimistic concurrency: retry on a concurrent change
        enrollment = await deps.enrollments.get(campaign_id, contact_id)
        campaign = await deps.campaigns.get(campaign_id)
        if enrollment is None or campaign is None:
            return
        updated = on_outcome(enrollment, campaign.spec, key=key, outcome=outcome, at=deps.clock.now())
        if updated is None:
            return
        if await deps.transition(enrollment, updated):
            return


async def on_call_event(
    event: CallPlaced | CallCompleted | CallDeferred | CallAnalyzed | NumberRested, deps: Deps
) -> None:
    """Call outcomes move the enrollment on; a deferred call goes back to the queue."""
    if isinstance(event, CallCompleted):
        await apply_outcome(
            campaign_id=event.campaign_id,
            contact_id=event.contact_id,
            key=event.idempotency_key,
            outcome=event.outcome,
            deps=deps,
        )
    elif isinstance(event, CallDeferred):
        await requeue(campaign_id=event.campaign_id, contact_id=event.contact_id, key=event.idempotency_key, deps=deps)


async def requeue(*, campaign_id: str, contact_id: str, key: str, deps: Deps) -> None:
    """Move a handed-back step to its next eligible instant, as a new attempt."""
    enrollment = await deps.enrollments.get(campaign_id, contact_id)
    campaign = await deps.campaigns.get(campaign_id)
    if enrollment is None or campaign is None or enrollment.in_flight_key != key:
        return
    updated = schedule_step(
        enrollment,
        campaign.spec,
        step_index=enrollment.step_index,
        since=deps.clock.now(),
        attempt=enrollment.attempt + 1,
        apply_delay=False,
    )
    await deps.transition(enrollment, updated)


async def on_message_event(event: MessageSent | MessageFailed | MessageDelivery | ContactOptedOut, deps: Deps) -> None:
    """SMS/email outcomes move the enrollment on; an opt-out exits the contact."""
    if isinstance(event, MessageSent):
        await apply_outcome(
            campaign_id=event.campaign_id,
            contact_id=event.contact_id,
            key=event.idempotency_key,
            outcome=f"{event.channel}_sent",
            deps=deps,
        )
    elif isinstance(event, MessageFailed):
        await apply_outcome(
            campaign_id=event.campaign_id,
            contact_id=event.contact_id,
            key=event.idempotency_key,
            outcome="failed",
            deps=deps,
        )
    elif isinstance(event, ContactOptedOut):
        await opt_out_everywhere(event, deps)


async def opt_out_everywhere(event: ContactOptedOut, deps: Deps) -> None:
    """An opt-out exits the contact from every campaign of the workspace (matched by phone, else by id);
    contacts of that number enrolled later exit at once."""
    if event.phone and deps.opt_outs is not None:
        await deps.opt_outs.record(event.workspace_id, event.phone, channel=event.channel, at=event.occurred_at)
    for enrollment in await deps.enrollments.open_for(
        workspace_id=event.workspace_id, phone=event.phone, campaign_id=event.campaign_id, contact_id=event.contact_id
    ):
        await deps.transition(enrollment, exit_with(enrollment, "opted_out"))
