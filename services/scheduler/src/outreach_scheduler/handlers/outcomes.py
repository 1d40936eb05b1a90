"""React to step outcomes: exit, schedule the next step, or complete."""

from __future__ import annotations

from outreach_contracts.calls import CallCompleted, CallDeferred
from outreach_contracts.messages import ContactOptedOut, MessageFailed, MessageSent

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


async def call_completed(event: CallCompleted, deps: Deps) -> None:
    """A call's outcome moves the enrollment on."""
    await apply_outcome(
        campaign_id=event.campaign_id,
        contact_id=event.contact_id,
        key=event.idempotency_key,
        outcome=event.outcome,
        deps=deps,
    )


async def call_deferred(event: CallDeferred, deps: Deps) -> None:
    """A call the dialer handed back (its window closed while it waited) goes back to the queue."""
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


async def message_sent(event: MessageSent, deps: Deps) -> None:
    """A sent SMS or email moves the enrollment on."""
    await apply_outcome(
        campaign_id=event.campaign_id,
        contact_id=event.contact_id,
        key=event.idempotency_key,
        outcome=f"{event.channel}_sent",
        deps=deps,
    )


async def message_failed(event: MessageFailed, deps: Deps) -> None:
    """A send that failed is the step's outcome."""
    await apply_outcome(
        campaign_id=event.campaign_id,
        contact_id=event.contact_id,
        key=event.idempotency_key,
        outcome="failed",
        deps=deps,
    )


async def opt_out_everywhere(event: ContactOptedOut, deps: Deps) -> None:
    """An opt-out exits the contact from every campaign of the workspace (matched by phone, else by id);
    contacts of that number enrolled later exit at once."""
    if event.phone and deps.opt_outs is not None:
        await deps.opt_outs.record(event.workspace_id, event.phone, channel=event.channel, at=event.occurred_at)
    for enrollment in await deps.enrollments.open_for(
        workspace_id=event.workspace_id, phone=event.phone, campaign_id=event.campaign_id, contact_id=event.contact_id
    ):
        await deps.transition(enrollment, exit_with(enrollment, "opted_out"))
