"""Metrics settings."""

from __future__ import annotations

from outreach_common.settings import ServiceSettings
from pydantic import Field


class Settings(ServiceSettings):
    """Settings of the metrics service (`OUTREACH_*` variables)."""

    service_name: str = "metrics"
    http_port: int = 8005
    consumer_group: str | None = Field(
        default=None, description="Kafka consumer group (a new group with an empty database rebuilds from the start)"
    )
