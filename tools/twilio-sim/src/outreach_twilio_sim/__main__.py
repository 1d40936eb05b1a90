"""`python -m outreach_twilio_sim`: serve the simulator (settings from `OUTREACH_SIM_*`)."""

from __future__ import annotations

import json
from pathlib import Path

import uvicorn
from outreach_common.clock import clock_from
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from outreach_twilio_sim.app import build
from outreach_twilio_sim.scenario import Scenario


class SimSettings(BaseSettings):
    """Simulator settings."""

    model_config = SettingsConfigDict(env_prefix="OUTREACH_SIM_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8090
    account_sid: str = "AC" + "0" * 32
    auth_token: str = "dev-secret-change-me"
    scenario_file: str | None = None
    clock_file: str | None = Field(
        default=None,
        validation_alias="OUTREACH_CLOCK_FILE",
        description="The services' shared virtual clock: the log's `clock_at` is read from it",
    )


def main() -> None:
    """Run the simulator until stopped."""
    settings = SimSettings()
    scenario = Scenario()
    if settings.scenario_file:
        scenario = Scenario.model_validate(json.loads(Path(settings.scenario_file).read_text()))
    app = build(
        account_sid=settings.account_sid,
        auth_token=settings.auth_token,
        scenario=scenario,
        clock=clock_from(settings.clock_file),
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")


if __name__ == "__main__":
    main()
