"""Settings shared by every service; each service subclasses `ServiceSettings`."""

from __future__ import annotations

from typing import Literal

from outreach_contracts.topics import Topics
from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-secret-change-me"
_EXAMPLES = ("change", "example", "secret", "password", "dev-", "test", "xxxx", "1234")


def weak_secret(value: str) -> bool:
    """True for an empty, short or example secret (what no production deployment should run with)."""
    lowered = value.lower()
    return len(value) < 32 or len(set(value)) < 10 or any(word in lowered for word in _EXAMPLES)


class ServiceSettings(BaseSettings):
    """Connection and runtime settings, read from `OUTREACH_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="OUTREACH_", extra="ignore")

    service_name: str = Field(default="outreach", description="Name used in logs, traces and metrics")
    environment: Literal["development", "test", "production"] = Field(default="development")
    kafka_bootstrap: str = Field(default="127.0.0.1:9092", description="Kafka bootstrap servers")
    topic_prefix: str = Field(default="", description="Prefix of every topic name (isolation)")
    mongo_url: str = Field(default="mongodb://127.0.0.1:27017/", description="MongoDB connection string")
    mongo_db: str = Field(default="", description="This service's own database name (`outreach_<service>` if empty)")
    http_host: str = Field(default="127.0.0.1", description="HTTP listen address")
    http_port: int = Field(default=8000, ge=0, le=65535, description="HTTP listen port")
    log_level: str = Field(default="INFO", description="Log level")
    log_json: bool = Field(default=True, description="JSON logs")
    otel_exporter: Literal["none", "console", "otlp", "jsonl"] = Field(default="none", description="Trace exporter")
    otel_file: str | None = Field(
        default=None, description="File for the jsonl exporter; `{service}` is replaced by the service name"
    )
    otlp_endpoint: str | None = Field(default=None, description="OTLP/HTTP traces endpoint")
    clock_file: str | None = Field(default=None, description="Virtual clock offset file (tests and demos)")
    workspace_id: str = Field(default="ws_default", description="Default workspace for this deployment")
    webhook_secret: str = Field(default=DEV_SECRET, description="Secret used to sign internal webhooks")
    identity_secret: str = Field(
        default=DEV_SECRET, description="Signs and verifies the identity the gateway forwards (shared by every service)"
    )
    identity_secret_previous: str = Field(
        default="", description="The identity secret being rotated out (still accepted while set)"
    )

    @property
    def identity_secrets(self) -> tuple[str, ...]:
        """Secrets an identity may be signed with: the current one, then the previous one while rotating."""
        return tuple(s for s in (self.identity_secret, self.identity_secret_previous) if s)

    @property
    def topics(self) -> Topics:
        """Topic names of this deployment."""
        return Topics(self.topic_prefix)

    @model_validator(mode="after")
    def _own_database(self) -> ServiceSettings:
        self.mongo_db = self.mongo_db or f"outreach_{self.service_name}"
        return self

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> ServiceSettings:
        if self.environment == "production":
            for name, value in self.model_dump().items():
                if name.endswith(("_secret", "_token")) and isinstance(value, str) and weak_secret(value):
                    raise ValueError(f"{name} must be set outside development to a random value of 32+ characters")
        return self


class TwilioServiceSettings(ServiceSettings):
    """A service that talks to Twilio (the local simulator in development) and takes its callbacks."""

    public_url: str = Field(default="", description="Base URL providers call back on (this host and port if empty)")
    twilio_account_sid: str = Field(default="AC" + "0" * 32, description="Twilio account sid")
    twilio_auth_token: str = Field(default=DEV_SECRET, description="Twilio auth token (signs its webhooks)")
    twilio_base_url: str | None = Field(
        default="http://127.0.0.1:8090", description="Twilio API base URL; empty for the real Twilio"
    )

    @model_validator(mode="after")
    def _reachable_here(self) -> TwilioServiceSettings:
        self.public_url = self.public_url or f"http://127.0.0.1:{self.http_port}"
        return self
