"""Messenger settings."""

from __future__ import annotations

from outreach_common.settings import TwilioServiceSettings
from pydantic import Field


class Settings(TwilioServiceSettings):
    """Settings of the messenger service (`OUTREACH_*` variables)."""

    service_name: str = "messenger"
    http_port: int = 8004
    default_sms_from: str = Field(default="+12125550100", description="Sender number when none is given")
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server")
    smtp_port: int = Field(default=8025, description="SMTP port")
    smtp_username: str | None = Field(default=None, description="SMTP user")
    smtp_password: str | None = Field(default=None, description="SMTP password")
    smtp_starttls: bool = Field(default=False, description="Use STARTTLS")
    email_from: str = Field(default="outreach@example.com", description="From address")
    help_reply: str = Field(
        default="Outreach messages. Reply STOP to opt out, START to opt back in.", description="Reply to HELP"
    )
    send_attempts: int = Field(default=4, ge=1, description="Attempts per send on 429 / 5xx / network errors")
    retry_base_s: float = Field(default=0.5, gt=0, description="First retry delay, doubled each time")
    lease_s: float = Field(
        default=300.0, gt=0, description="Seconds after which a send left unfinished (the process stopped) is taken up"
    )
    send_concurrency: int = Field(
        default=16, ge=1, description="Sends talking to the providers at once (each recorded before it starts)"
    )
