"""SMS / email commands (scheduler -> messenger) and message events (messenger -> everyone)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from outreach_contracts.contacts import ContactData
from outreach_contracts.envelope import CampaignId, ContactId, Envelope, StepIndex
from outreach_contracts.window import ContactWindow, TimeRange

Channel = Literal["sms", "email", "call", "dnc"]


class _MessageCommand(Envelope):
    idempotency_key: str = Field(description="campaign:contact:step:attempt", examples=["cmp_123:ct_9f2c:0:1"])
    campaign_id: CampaignId
    contact_id: ContactId
    step_index: StepIndex
    contact: ContactData = Field(description="Contact data for the template")
    window: ContactWindow = Field(description="The contact window, re-checked right before sending")
    step_window: TimeRange | None = Field(default=None, description="The step's own narrower window")


class SendSms(_MessageCommand):
    """Command: send an SMS rendered from a template."""

    type: Literal["SendSms"] = Field(default="SendSms", description="Discriminator")
    body_template: str = Field(
        min_length=1, description="Jinja2 template of the body", examples=["Hi {{ first_name }}, we tried to call you."]
    )
    from_numbers: list[str] = Field(
        default_factory=list, description="Sender numbers (E.164)", examples=[["+12125550100"]]
    )
    from_tags: list[str] = Field(
        default_factory=list, description="Or: numbers of the workspace carrying one of these tags", examples=[["us"]]
    )
    local_presence: bool = Field(default=True, description="Prefer a sender local to the contact")


class SendEmail(_MessageCommand):
    """Command: send an email rendered from templates."""

    type: Literal["SendEmail"] = Field(default="SendEmail", description="Discriminator")
    subject_template: str = Field(min_length=1, description="Jinja2 template of the subject", examples=["Your renewal"])
    body_template: str = Field(
        min_length=1, description="Jinja2 template of the text body", examples=["Hello {{ first_name }}"]
    )
    html_template: str | None = Field(
        default=None, description="Optional Jinja2 template of an HTML body", examples=["<p>Hello {{ first_name }}</p>"]
    )


class _MessageOutcome(Envelope):
    """What every report about one message command carries."""

    idempotency_key: str = Field(description="Key of the command", examples=["cmp_123:ct_9f2c:0:1"])
    campaign_id: CampaignId
    contact_id: ContactId
    step_index: StepIndex
    channel: Literal["sms", "email"] = Field(description="Channel", examples=["sms"])


class MessageSent(_MessageOutcome):
    """The provider accepted a message."""

    type: Literal["MessageSent"] = Field(default="MessageSent", description="Discriminator")
    provider_id: str = Field(description="Provider's message id", examples=["SM0123"])


class MessageFailed(_MessageOutcome):
    """A message could not be sent."""

    type: Literal["MessageFailed"] = Field(default="MessageFailed", description="Discriminator")
    reason: str = Field(description="Why it failed", examples=["missing variable first_name"])


class MessageDelivery(_MessageOutcome):
    """The carrier's final word on a sent SMS (from the provider's status callback), once per message."""

    type: Literal["MessageDelivery"] = Field(default="MessageDelivery", description="Discriminator")
    status: Literal["delivered", "undelivered", "failed"] = Field(description="Final status", examples=["delivered"])
    error_code: str | None = Field(default=None, description="Provider error code, if any", examples=["30003"])


class ContactOptedOut(Envelope):
    """A contact revoked consent; every campaign of the workspace must stop reaching them."""

    type: Literal["ContactOptedOut"] = Field(default="ContactOptedOut", description="Discriminator")
    phone: str | None = Field(default=None, description="E.164 number that opted out", examples=["+12125550123"])
    email: str | None = Field(default=None, description="Email that opted out", examples=["ada@example.com"])
    channel: Channel = Field(
        description="Where the opt-out came from (`dnc`: added to the workspace's do-not-call list)", examples=["sms"]
    )
    campaign_id: str | None = Field(default=None, description="Campaign it came through", examples=["cmp_1"])
    contact_id: str | None = Field(default=None, description="Contact it came through", examples=["ct_9f2c"])
