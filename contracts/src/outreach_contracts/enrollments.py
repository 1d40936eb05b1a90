"""Per-contact enrollment state changes (produced by the scheduler)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from outreach_contracts.envelope import CampaignId, ContactId, Envelope

EnrollmentState = Literal["queued", "active", "exited", "errored", "completed"]
ExitReason = Literal["answered", "opted_out", "unreachable", "stopped"]


class EnrollmentChanged(Envelope):
    """A contact's enrollment moved to a new state; `version` orders the changes of one enrollment."""

    type: Literal["EnrollmentChanged"] = Field(default="EnrollmentChanged", description="Discriminator")
    campaign_id: CampaignId
    contact_id: ContactId
    state: EnrollmentState = Field(description="New state", examples=["active"])
    version: int = Field(ge=1, description="Monotonic per enrollment; higher wins", examples=[3])
    step_index: int = Field(ge=0, description="Current (or last) step of the flow", examples=[0])
    reason: str | None = Field(default=None, description="Exit or error reason", examples=["answered"])


class ContactExited(Envelope):
    """A contact left a campaign because an exit criterion was met."""

    type: Literal["ContactExited"] = Field(default="ContactExited", description="Discriminator")
    campaign_id: CampaignId
    contact_id: ContactId
    reason: ExitReason = Field(description="Which exit criterion was met", examples=["answered"])
