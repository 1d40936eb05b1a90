"""Call commands (scheduler -> dialer) and call events (dialer -> everyone)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from outreach_contracts.contacts import ContactData
from outreach_contracts.envelope import CampaignId, ContactId, Envelope, Frozen, StepIndex, UtcDatetime
from outreach_contracts.window import ContactWindow, TimeRange

CallOutcome = Literal["answered_human", "voicemail", "no_answer", "busy", "failed", "canceled", "unreachable"]


class NumberSelection(Frozen):
    """Which caller ids the dialer may use: specific numbers, or numbers carrying one of the tags."""

    numbers: list[str] = Field(default_factory=list, description="E.164 numbers", examples=[["+12125550100"]])
    tags: list[str] = Field(default_factory=list, description="Number tags", examples=[["sales-us"]])
    local_presence: bool = Field(
        default=True,
        description="Prefer a number local to the contact (same area code, then state, then country); "
        "false: the least recently used allowed number, wherever it is",
    )


class PlaceCall(Envelope):
    """Command: call a contact with an agent, now if the contact's window is open."""

    type: Literal["PlaceCall"] = Field(default="PlaceCall", description="Discriminator")
    idempotency_key: str = Field(
        description="campaign:contact:step:attempt; a repeat has no second effect", examples=["cmp_123:ct_9f2c:0:1"]
    )
    campaign_id: CampaignId
    contact_id: ContactId
    step_index: StepIndex
    attempt: int = Field(ge=1, description="Attempt of this step", examples=[1])
    agent_id: str = Field(description="Agent that handles the call", examples=["agt_sales"])
    contact: ContactData = Field(description="Contact data, passed to the agent as call parameters")
    numbers: NumberSelection = Field(default_factory=NumberSelection, description="Caller id selection")
    window: ContactWindow = Field(description="The contact window, re-checked right before dialing")
    step_window: TimeRange | None = Field(default=None, description="The step's own narrower window")
    machine_detection: Literal["off", "Enable", "DetectMessageEnd", "async"] = Field(
        default="off", description="Answering machine detection mode", examples=["DetectMessageEnd"]
    )
    ring_timeout_s: int = Field(default=30, ge=5, le=600, description="Seconds to let it ring", examples=[30])
    max_concurrent: int | None = Field(
        default=None, ge=1, description="The campaign's limit on calls in flight at once", examples=[20]
    )
    record: bool = Field(default=False, description="Record the call (both channels)", examples=[True])


class _CallStepEvent(Envelope):
    """What every event about one PlaceCall command carries."""

    idempotency_key: str = Field(description="Key of the PlaceCall command", examples=["cmp_123:ct_9f2c:0:1"])
    campaign_id: CampaignId
    contact_id: ContactId
    step_index: StepIndex


class CallPlaced(_CallStepEvent):
    """The provider accepted the call."""

    type: Literal["CallPlaced"] = Field(default="CallPlaced", description="Discriminator")
    call_id: str = Field(description="Dialer's call id", examples=["call_8d1"])
    provider_call_sid: str = Field(description="Provider's call id", examples=["CA0123456789abcdef"])
    from_number: str = Field(description="Caller id used", examples=["+12125550100"])


class CallCompleted(_CallStepEvent):
    """A call ended with a normalised outcome."""

    type: Literal["CallCompleted"] = Field(default="CallCompleted", description="Discriminator")
    call_id: str = Field(description="Dialer's call id", examples=["call_8d1"])
    outcome: CallOutcome = Field(description="Normalised outcome", examples=["answered_human"])
    duration_s: int = Field(default=0, ge=0, description="Call duration in seconds", examples=[42])
    error_code: str | None = Field(default=None, description="SIP or provider error code", examples=["486"])


class CallDeferred(_CallStepEvent):
    """The dialer handed a step back because the contact's window closed before dialing."""

    type: Literal["CallDeferred"] = Field(default="CallDeferred", description="Discriminator")
    reason: str = Field(description="Why it was not dialed", examples=["window_closed"])


class CallAnalyzed(Envelope):
    """The agent's post-call report: disposition, summary and custom data (for the scheduler and CRMs)."""

    type: Literal["CallAnalyzed"] = Field(default="CallAnalyzed", description="Discriminator")
    idempotency_key: str = Field(description="Key of the PlaceCall command", examples=["cmp_123:ct_9f2c:0:1"])
    campaign_id: CampaignId
    contact_id: ContactId
    call_id: str = Field(description="Dialer's call id", examples=["call_8d1"])
    disposition: str = Field(description="Agent's disposition", examples=["asked_not_to_be_called"])
    summary: str = Field(default="", description="Agent's summary of the call", examples=["Will renew in May"])
    data: dict[str, str] = Field(default_factory=dict, description="Custom data", examples=[{"renewal": "may"}])


class NumberRested(Envelope):
    """A caller id was taken out of rotation (its answer rate fell behind the pool's: often a spam label)."""

    type: Literal["NumberRested"] = Field(default="NumberRested", description="Discriminator")
    number: str = Field(description="The rested E.164 number", examples=["+12125550100"])
    answer_rate: float = Field(ge=0, le=1, description="Its answer rate over the window", examples=[0.05])
    pool_answer_rate: float = Field(ge=0, le=1, description="The pool's answer rate", examples=[0.3])
    until: UtcDatetime = Field(description="When it returns to rotation", examples=["2026-03-10T14:00:00Z"])
