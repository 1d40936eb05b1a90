"""The envelope every Outreach message carries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An aware datetime, normalised to UTC; naive datetimes are rejected."""

CampaignId = Annotated[str, Field(description="The campaign", examples=["cmp_123"])]
ContactId = Annotated[str, Field(description="The contact", examples=["ct_9f2c"])]
StepIndex = Annotated[int, Field(ge=0, description="Step of the flow", examples=[0])]


class Frozen(BaseModel):
    """Base of every contract model: immutable and strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class TraceContext(Frozen):
    """W3C trace context of the span that produced the message."""

    traceparent: str | None = Field(
        default=None,
        description="W3C traceparent header value",
        examples=["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
    )
    tracestate: str | None = Field(default=None, description="W3C tracestate header value", examples=[None])


class Envelope(Frozen):
    """Fields common to every event and command."""

    event_id: UUID = Field(
        default_factory=uuid4,
        description="Unique id of this message; consumers deduplicate on it",
        examples=["6f1c2a8e-54d4-4a59-9a39-2f0f3f4b7c11"],
    )
    schema_version: int = Field(default=1, ge=1, description="Version of this message's schema", examples=[1])
    occurred_at: UtcDatetime = Field(
        description="When the fact happened or the command was issued (aware, UTC)", examples=["2026-03-09T14:00:00Z"]
    )
    workspace_id: str = Field(min_length=1, description="Tenant the message belongs to", examples=["ws_acme"])
    trace: TraceContext = Field(
        default_factory=TraceContext, description="Trace context for following one contact's journey"
    )


def now_utc() -> datetime:
    """Current aware UTC time, for producers outside domain code (domain code takes a clock)."""
    return datetime.now(UTC)
