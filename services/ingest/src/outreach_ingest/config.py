"""Ingest settings."""

from __future__ import annotations

from outreach_common.settings import ServiceSettings
from pydantic import Field


class Settings(ServiceSettings):
    """Settings of the ingest service (`OUTREACH_*` variables)."""

    service_name: str = "ingest"
    mongo_db: str = "outreach_ingest"
    http_port: int = 8001
    upload_dir: str = Field(default=".local/uploads", description="Where uploaded files are stored")
    seen_in_memory: int = Field(
        default=250_000,
        ge=1,
        description="Numbers an import remembers in memory (to find repeats) before moving them to a disk file",
    )
    rejected_retention_days: float = Field(
        default=30.0, gt=0, description="Days a finished import's rejected-row report is kept"
    )
    publish_batch: int = Field(
        default=5000,
        ge=1,
        description="Rows stored and published per step of an import (its progress moves by as many)",
    )
