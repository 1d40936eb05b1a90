"""Caller ids a workspace registers (produced by the dialer): who owns a number, for replies sent to it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from outreach_contracts.envelope import Envelope


class NumberRegistered(Envelope):
    """A workspace added (or updated) a number of its own."""

    type: Literal["NumberRegistered"] = Field(default="NumberRegistered", description="Discriminator")
    number: str = Field(description="The E.164 number", examples=["+12125550100"])
    tags: list[str] = Field(default_factory=list, description="Tags campaigns select numbers by")
    capabilities: list[str] = Field(default_factory=lambda: ["voice", "sms"], description="voice, sms")
    status: str = Field(default="active", description="active or disabled (never used)")
    per_hour: int | None = Field(default=None, description="Sends or calls per rolling hour, at most")
    per_day: int | None = Field(default=None, description="Sends or calls per rolling 24 hours, at most")


class NumberRemoved(Envelope):
    """A workspace removed a number."""

    type: Literal["NumberRemoved"] = Field(default="NumberRemoved", description="Discriminator")
    number: str = Field(description="The E.164 number", examples=["+12125550100"])
