"""Response models of the call history, so the public OpenAPI document names every field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TrailEntry(BaseModel):
    """One status the provider reported, with its time."""

    model_config = ConfigDict(extra="allow")

    status: str
    at: datetime | None = None


class CallView(BaseModel):
    """A call: what was asked, the number and agent used, its status trail and outcome."""

    model_config = ConfigDict(extra="allow")

    idempotency_key: str
    call_id: str | None = None
    workspace_id: str
    campaign_id: str
    contact_id: str
    phone: str | None = None
    status: str = Field(description="queued, dialing, placed, completed, failed, canceled, deferred")
    outcome: str | None = None
    reason: str | None = None
    from_number: str | None = None
    agent_id: str | None = None
    duration_s: int | None = None
    recording_url: str | None = None
    queued_at: datetime | None = None
    trail: list[TrailEntry] = Field(default_factory=list)
    analysis: dict[str, Any] | None = Field(default=None, description="The agent's post-call report")


class CallPage(BaseModel):
    """A page of calls, newest first; `next` goes back as `after`."""

    items: list[CallView]
    next: str | None


class NumberView(BaseModel):
    """A caller id with its place, limits and health."""

    model_config = ConfigDict(extra="allow")

    number: str
    tags: list[str] = Field(default_factory=list)
    capabilities: list[str] = Field(default_factory=list)
    status: str = "active"
    caps: dict[str, int | None] = Field(default_factory=dict, description="per_hour, per_day")
    cooldown_s: float = 0
    country: str | None = None
    state: str | None = None
    area_code: str | None = None
    answer_rate: float | None = Field(default=None, description="Share of recent calls answered by a person")
    recent_calls: int = 0
    rested_until: datetime | None = Field(default=None, description="Not used before this time (poor health)")


class AgentView(BaseModel):
    """An AI agent calls are handed to."""

    model_config = ConfigDict(extra="allow")

    id: str
    name: str
    kind: str = Field(description="twiml, sip or stream")
    address: str
    variables: dict[str, str] = Field(default_factory=dict)
