"""Campaign lifecycle rules, as pure functions of the campaign and the time: what may start, pause, resume,
stop, edit, complete or reopen, the campaign it becomes and the event that says so."""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_args

from outreach_contracts.campaigns import (
    CampaignCompleted,
    CampaignPaused,
    CampaignResumed,
    CampaignScheduled,
    CampaignStarted,
    CampaignStatus,
    CampaignStopped,
)
from outreach_contracts.envelope import Envelope

from outreach_scheduler.domain.campaign import Campaign, CampaignSpec

TERMINAL = ("stopped", "completed")
NOT_TERMINAL = tuple(status for status in get_args(CampaignStatus) if status not in TERMINAL)
Change = tuple[Campaign, Envelope]  # the campaign as it becomes, and the event that tells the other services


class LifecycleError(Exception):
    """A lifecycle transition that is not allowed from the campaign's status."""


def _about(campaign: Campaign, now: datetime) -> dict[str, Any]:
    return {"occurred_at": now, "workspace_id": campaign.workspace_id, "campaign_id": campaign.id,
            "name": campaign.spec.name}  # fmt: skip


def start(campaign: Campaign, *, now: datetime, at: datetime | None) -> Change:
    """Start now, or schedule the start at `at` (a future instant); from draft or scheduled, with steps."""
    if not campaign.can_start(now):
        raise LifecycleError(
            f"cannot start a {campaign.status} campaign"
            if campaign.spec.flow
            else "cannot start a campaign without steps"
        )
    if at is not None and at > now:
        scheduled = campaign.model_copy(update={"status": "scheduled", "starts_at": at})
        return scheduled, CampaignScheduled(**_about(campaign, now), starts_at=at)
    return campaign.model_copy(update={"status": "active", "started_at": now}), CampaignStarted(**_about(campaign, now))


def _move(
    campaign: Campaign, now: datetime, verb: str, sources: tuple[str, ...], to: str, told: type[Envelope]
) -> Change:
    """The campaign moved to status `to`, and the event `told` that says so; only from one of `sources`."""
    if campaign.status not in sources:
        raise LifecycleError(f"cannot {verb} a {campaign.status} campaign")
    return campaign.model_copy(update={"status": to}), told(**_about(campaign, now))


def pause(campaign: Campaign, *, now: datetime) -> Change:
    """No new dispatch (steps in flight finish); only an active campaign pauses."""
    return _move(campaign, now, "pause", ("active",), "paused", CampaignPaused)


def resume(campaign: Campaign, *, now: datetime) -> Change:
    """Active again; only a paused campaign resumes."""
    return _move(campaign, now, "resume", ("paused",), "active", CampaignResumed)


def stop(campaign: Campaign, *, now: datetime) -> Change:
    """Terminal: any campaign not yet terminal stops (its open enrollments then exit as `stopped`)."""
    return _move(campaign, now, "stop", NOT_TERMINAL, "stopped", CampaignStopped)


def complete(campaign: Campaign, *, now: datetime) -> Change:
    """An active campaign whose every enrollment is terminal is completed."""
    return _move(campaign, now, "complete", ("active",), "completed", CampaignCompleted)


def reopen(campaign: Campaign, *, now: datetime) -> Change:
    """A completed campaign that receives new contacts works again."""
    return _move(campaign, now, "reopen", ("completed",), "active", CampaignResumed)


def edit(campaign: Campaign, spec: CampaignSpec) -> Campaign:
    """The campaign with an edited spec: not once terminal; an active one keeps at least its steps."""
    if campaign.status in TERMINAL:
        raise LifecycleError(f"cannot edit a {campaign.status} campaign")
    if campaign.status == "active" and len(spec.flow) < len(campaign.spec.flow):
        raise LifecycleError("an active campaign's flow can gain or change steps, not lose them; pause first")
    return campaign.model_copy(update={"spec": spec})


def may_start_scheduled(campaign: Campaign, *, now: datetime) -> bool:
    """A scheduled campaign whose start instant has come."""
    return campaign.status == "scheduled" and campaign.starts_at is not None and campaign.starts_at <= now
