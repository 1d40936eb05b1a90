"""The overview's response model, so the public OpenAPI document names every figure."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Overview(BaseModel):
    """A campaign's contacts by state, its exits by reason and its funnel (overall, per step, per day)."""

    campaign_id: str
    name: str | None = None
    status: str
    started_on: datetime | None = None
    total: int = Field(description="Contacts enrolled")
    queued: int
    active: int
    errored: int
    exited: int
    completed: int
    exited_by_reason: dict[str, int] = Field(description="answered, opted_out, unreachable, stopped")
    funnel: dict[str, int] = Field(description="Attempts, calls placed, outcomes, messages...")
    funnel_by_step: dict[str, dict[str, int]] = Field(description="Step index -> funnel")
    funnel_by_day: dict[str, dict[str, int]] = Field(description="Day (UTC) -> funnel")
    funnel_by_hour: dict[str, dict[str, int]] = Field(description="Hour (UTC, `2026-03-09T14`) -> funnel")
