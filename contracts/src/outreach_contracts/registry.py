"""Discriminated unions per topic, and the list of every message model."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, TypeAdapter

from outreach_contracts.calls import CallAnalyzed, CallCompleted, CallDeferred, CallPlaced, NumberRested, PlaceCall
from outreach_contracts.campaigns import (
    CampaignCompleted,
    CampaignCreated,
    CampaignPaused,
    CampaignResumed,
    CampaignScheduled,
    CampaignStarted,
    CampaignStopped,
)
from outreach_contracts.contacts import ContactImported
from outreach_contracts.enrollments import ContactExited, EnrollmentChanged
from outreach_contracts.envelope import Envelope
from outreach_contracts.messages import ContactOptedOut, MessageDelivery, MessageFailed, MessageSent, SendEmail, SendSms
from outreach_contracts.numbers import NumberRegistered, NumberRemoved

ContactEvent = Annotated[ContactImported, Field(discriminator="type")]
CampaignEvent = Annotated[
    CampaignCreated
    | CampaignStarted
    | CampaignScheduled
    | CampaignPaused
    | CampaignResumed
    | CampaignStopped
    | CampaignCompleted,
    Field(discriminator="type"),
]
EnrollmentEvent = Annotated[EnrollmentChanged | ContactExited, Field(discriminator="type")]
CallCommand = Annotated[PlaceCall, Field(discriminator="type")]
CallEvent = Annotated[
    CallPlaced | CallCompleted | CallDeferred | CallAnalyzed | NumberRested, Field(discriminator="type")
]
MessageCommand = Annotated[SendSms | SendEmail, Field(discriminator="type")]
NumberEvent = Annotated[NumberRegistered | NumberRemoved, Field(discriminator="type")]
MessageEvent = Annotated[MessageSent | MessageFailed | MessageDelivery | ContactOptedOut, Field(discriminator="type")]
AnyMessage = Annotated[
    ContactImported
    | CampaignCreated
    | CampaignStarted
    | CampaignScheduled
    | CampaignPaused
    | CampaignResumed
    | CampaignStopped
    | CampaignCompleted
    | EnrollmentChanged
    | ContactExited
    | PlaceCall
    | CallPlaced
    | CallCompleted
    | CallDeferred
    | CallAnalyzed
    | NumberRested
    | SendSms
    | SendEmail
    | MessageSent
    | MessageDelivery
    | MessageFailed
    | ContactOptedOut
    | NumberRegistered
    | NumberRemoved,
    Field(discriminator="type"),
]

ANY_MESSAGE: TypeAdapter[Envelope] = TypeAdapter(AnyMessage)

ALL_MODELS: tuple[type[Envelope], ...] = (
    ContactImported,
    CampaignCreated,
    CampaignStarted,
    CampaignScheduled,
    CampaignPaused,
    CampaignResumed,
    CampaignStopped,
    CampaignCompleted,
    EnrollmentChanged,
    ContactExited,
    PlaceCall,
    CallPlaced,
    CallCompleted,
    CallDeferred,
    CallAnalyzed,
    NumberRested,
    SendSms,
    SendEmail,
    MessageSent,
    MessageDelivery,
    MessageFailed,
    ContactOptedOut,
    NumberRegistered,
    NumberRemoved,
)
