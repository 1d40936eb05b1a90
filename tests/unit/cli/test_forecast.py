"""`outreach campaign forecast`: the flow and windows run ahead on a virtual clock; nothing is placed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from outreach_cli.main import app
from outreach_scheduler.domain.campaign import CampaignSpec
from outreach_scheduler.domain.forecast import Limits, run
from outreach_windows import ContactInfo
from typer.testing import CliRunner

pytestmark = pytest.mark.unit

MONDAY_0830_NY = datetime(2026, 3, 9, 12, 30, tzinfo=UTC)
SPEC = CampaignSpec.model_validate(
    {
        "name": "f",
        "window": {
            "days": ["mon", "tue", "wed", "thu", "fri"],
            "start": "09:00",
            "end": "17:00",
            "timezone": {"primary": "contact", "fallback": "America/New_York"},
        },
        "flow": [
            {"kind": "phone", "agent_id": "a"},
            {"kind": "sms", "body": "hi", "when_previous": ["no_answer"], "delay": {"amount": 1, "unit": "days"}},
        ],
    }
)


def test_nobody_answers_everyone_gets_the_text_a_day_later_inside_the_window() -> None:
    people = [ContactInfo(phone=f"+1212555{i:04d}") for i in range(10)] + [ContactInfo(phone="+13105550001")]
    forecast = run(
        SPEC, people, MONDAY_0830_NY, Limits(calls_per_second=1, concurrency=5, call_seconds=30, answer_rate=0.0)
    )
    assert forecast.outcomes == {"1 phone no_answer": 11, "2 sms sent": 11}
    assert dict(forecast.steps_per_day["2026-03-09"]) == {"phone": 11}
    assert dict(forecast.steps_per_day["2026-03-10"]) == {"sms": 11}
    # Los Angeles opens at 16:00 UTC (PDT); its call ends 30 s later and the text follows a day after
    assert forecast.completes_at == datetime(2026, 3, 10, 16, 0, 30, tzinfo=UTC)
    assert forecast.peak_concurrency == 5  # 30 s calls at most 5 at once: one every 6 s, not every second


def test_everyone_answers_nobody_is_texted_and_pacing_stretches_the_day() -> None:
    people = [ContactInfo(phone=f"+1212555{i:04d}") for i in range(100)]
    slow = run(
        SPEC, people, MONDAY_0830_NY, Limits(calls_per_second=0.01, concurrency=1, call_seconds=60, answer_rate=1.0)
    )
    assert slow.outcomes == {"1 phone answered_human": 100}
    assert slow.completes_at == datetime(2026, 3, 9, 15, 46, 0, tzinfo=UTC)  # 100 calls 100 s apart from 13:00
    assert slow.peak_concurrency == 1


def test_the_command_prints_the_forecast(tmp_path: Path) -> None:
    spec = tmp_path / "c.json"
    spec.write_text(SPEC.model_dump_json())
    contacts = tmp_path / "c.csv"
    contacts.write_text("phone\n+12125550101\n+12125550101\nbad\n+18085550101\n")
    runner = CliRunner()
    args = [
        "campaign",
        "forecast",
        "-f",
        str(spec),
        "--contacts",
        str(contacts),
        "--map",
        "to_number=phone",
        "--start",
        "2026-03-09T12:30:00Z",
        "--answer-rate",
        "0",
    ]
    out = runner.invoke(app, [*args, "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["contacts"] == 2 and result["skipped"] == {"invalid": 1, "duplicate": 1}
    assert result["steps_per_day"]["2026-03-09"] == {"phone": 2}
    assert "steps per day" in runner.invoke(app, args).output
    assert runner.invoke(app, [*args[:5], "--contacts", str(tmp_path / "none.csv")]).exit_code == 2
