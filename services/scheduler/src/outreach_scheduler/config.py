"""Scheduler settings."""

from __future__ import annotations

from outreach_common.settings import ServiceSettings
from pydantic import Field


class Settings(ServiceSettings):
    """Settings of the scheduler service (`OUTREACH_*` variables)."""

    service_name: str = "scheduler"
    http_port: int = 8002
    dispatch_interval_s: float = Field(default=0.25, gt=0, description="How often due steps are looked for")
    dispatch_batch: int = Field(default=2000, ge=1, description="Due steps claimed per round")
    dispatch_workers: int = Field(default=3, ge=1, description="Dispatch rounds run at once")
    workspace_call_cap: int | None = Field(default=None, ge=1, description="Calls per contact per 24 h, all campaigns")
    completion_grace_s: float = Field(default=10.0, ge=0, description="Quiet time before a campaign completes")
    resume_rate_per_s: float = Field(default=20.0, gt=0, description="Pace of steps that fell due during a pause")
    sweep_interval_s: float = Field(
        default=30.0, gt=0, description="How often enrollments are swept for unpublished messages and claims"
    )
    step_outcome_limit_s: float = Field(
        default=6 * 3600.0, gt=0, description="Wall-clock seconds a step may wait for its outcome before it errors"
    )
    due_reload_interval_s: float = Field(
        default=300.0, gt=0, description="How often the due index is rebuilt from the database"
    )
    checkpoint_interval_s: float = Field(
        default=120.0, gt=0, description="How often the due index is checkpointed (a restart loads the newest)"
    )
    log_retention_h: float = Field(
        default=7 * 24.0, gt=0, description="Hours an enrollment's log entry is kept once its document caught up"
    )
    prune_interval_s: float = Field(default=3600.0, gt=0, description="How often old log entries are pruned")
