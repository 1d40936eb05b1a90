"""Metrics settings."""

from __future__ import annotations

from outreach_common.settings import ServiceSettings


class Settings(ServiceSettings):
    """Settings of the metrics service (`OUTREACH_*` variables)."""

    service_name: str = "metrics"
    mongo_db: str = "outreach_metrics"
    http_port: int = 8005
