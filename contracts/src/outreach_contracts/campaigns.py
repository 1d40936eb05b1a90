"""Campaign lifecycle events (produced by the scheduler)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from outreach_contracts.envelope import CampaignId, Envelope, UtcDatetime

CampaignStatus = Literal["draft", "scheduled", "active", "paused", "stopped", "completed"]


class _CampaignEvent(Envelope):
    campaign_id: CampaignId
    name: str = Field(default="", description="Campaign name at the time of the event", examples=["Renewals"])


class CampaignCreated(_CampaignEvent):
    """A campaign was created (as a draft) in its workspace: services that take work for a campaign learn
    which workspace it belongs to."""

    type: Literal["CampaignCreated"] = Field(default="CampaignCreated", description="Discriminator")


class CampaignStarted(_CampaignEvent):
    """A campaign became active."""

    type: Literal["CampaignStarted"] = Field(default="CampaignStarted", description="Discriminator")


class CampaignScheduled(_CampaignEvent):
    """A campaign will start at a future instant."""

    type: Literal["CampaignScheduled"] = Field(default="CampaignScheduled", description="Discriminator")
    starts_at: UtcDatetime = Field(description="When it starts", examples=["2026-03-09T14:00:00Z"])


class CampaignPaused(_CampaignEvent):
    """No new steps are dispatched; queued work is held."""

    type: Literal["CampaignPaused"] = Field(default="CampaignPaused", description="Discriminator")


class CampaignResumed(_CampaignEvent):
    """A paused campaign is active again."""

    type: Literal["CampaignResumed"] = Field(default="CampaignResumed", description="Discriminator")


class CampaignStopped(_CampaignEvent):
    """Terminal: future steps are cancelled, queued work is dropped."""

    type: Literal["CampaignStopped"] = Field(default="CampaignStopped", description="Discriminator")


class CampaignCompleted(_CampaignEvent):
    """Every contact reached a terminal state."""

    type: Literal["CampaignCompleted"] = Field(default="CampaignCompleted", description="Discriminator")
