"""Dialer settings."""

from __future__ import annotations

from outreach_common.settings import DEV_SECRET, TwilioServiceSettings
from pydantic import Field


class Settings(TwilioServiceSettings):
    """Settings of the dialer service (`OUTREACH_*` variables)."""

    service_name: str = "dialer"
    http_port: int = 8003
    default_caller_id: str = Field(default="+12125550100", description="Caller id when none is selected")
    default_agent_url: str = Field(default="http://127.0.0.1:8090/twiml/agent", description="Agent TwiML URL")
    calls_per_second: float = Field(default=5.0, gt=0, description="Account-wide call rate (all instances)")
    max_concurrent_calls: int = Field(default=100, ge=1, description="Account-wide calls in flight at once")
    agent_webhook_secret: str = Field(default=DEV_SECRET, description="Shared secret agents sign reports with")
    health_min_calls: int = Field(default=20, ge=1, description="Calls a number needs before it can be rested")
    health_share: float = Field(default=0.5, gt=0, le=1, description="Rest below this share of the pool's rate")
    health_window_h: float = Field(default=24.0, gt=0, description="Answer-rate window in hours")
    health_rest_h: float = Field(default=24.0, gt=0, description="How long a number rests")
    dial_interval_s: float = Field(default=0.2, gt=0, description="How often the dial queue is polled")
    shutdown_deadline_s: float = Field(
        default=10.0, ge=0, description="On shutdown, how long calls being placed may take to finish"
    )
    slot_lease_s: float = Field(
        default=120.0, gt=0, description="Age after which an in-flight slot is checked against its call"
    )
    reconcile_after_s: float = Field(
        default=300.0, gt=0, description="Quiet seconds after which a call's status is asked of the provider"
    )
    pace_headroom: float = Field(
        default=0.0,
        ge=0,
        lt=0.5,
        description="Share of calls_per_second left unused, so network jitter never puts more calls than the "
        "limit into any one-second window",
    )
    claim_retention_h: float = Field(
        default=7 * 24.0, gt=0, description="Hours a call's claim records are kept once the call is final"
    )
    prune_interval_s: float = Field(default=3600.0, gt=0, description="How often old claim records are pruned")
    outbox_sweep_interval_s: float = Field(
        default=300.0,
        gt=0,
        description="How often every call document is checked for events a crash left unpublished (a full read "
        "of the call history on the MongoDB-wire server, so not often)",
    )
