"""Gateway settings."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from outreach_common.settings import DEV_SECRET, ServiceSettings
from pydantic import Field

from outreach_gateway.domain.access import Service


class Settings(ServiceSettings):
    """Settings of the gateway (`OUTREACH_*` variables)."""

    service_name: str = "gateway"
    http_port: int = 8000
    bootstrap_token: str = Field(
        default=DEV_SECRET, description="Authorises creating workspaces (`outreach workspaces create`)"
    )
    ingest_url: str = Field(default="http://127.0.0.1:8001", description="Ingest's internal base URL")
    scheduler_url: str = Field(default="http://127.0.0.1:8002", description="The scheduler's internal base URL")
    dialer_url: str = Field(default="http://127.0.0.1:8003", description="The dialer's internal base URL")
    messenger_url: str = Field(default="http://127.0.0.1:8004", description="The messenger's internal base URL")
    metrics_url: str = Field(default="http://127.0.0.1:8005", description="The metrics service's internal base URL")
    rate_per_s: float = Field(default=50.0, gt=0, description="Sustained requests per second per key or person")
    rate_burst: int = Field(default=200, ge=1, description="Requests a key or person may make at once")
    max_upload_bytes: int = Field(default=2 << 30, ge=1, description="Largest request body (413 above it)")
    session_ttl_h: float = Field(default=12.0, gt=0, description="How long a sign-in lasts")
    credential_cache_s: float = Field(
        default=5.0, ge=0, description="How long a verified key or session is trusted before it is read again"
    )
    identity_ttl_s: float = Field(default=60.0, gt=0, description="Lifetime of the identity forwarded to services")
    console_dir: Path = Field(
        default=Path(__file__).resolve().parents[4] / "console" / "dist",
        description="The console's built files, served at / (nothing is served when the folder is missing)",
    )

    def upstreams(self) -> dict[str, str]:
        """Service name -> internal base URL (its `<name>_url` setting)."""
        return {name: getattr(self, f"{name}_url") for name in get_args(Service)}
