"""`outreach campaign forecast`: the campaign run ahead on a virtual clock with the scheduling core, placing
nothing: when it completes, calls and messages per day and per hour (a chart), the concurrency it needs,
who is skipped and why, and how much the pacing limits stretch it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer
from outreach_scheduler.domain.campaign import CampaignSpec
from outreach_scheduler.domain.forecast import Forecast, Limits, run
from outreach_windows import ContactInfo
from pydantic import ValidationError

from outreach_cli.campaigns import app, read_spec
from outreach_cli.client import USAGE, fail, readable
from outreach_cli.contacts import checked


def _contacts(file: Path, maps: list[str], no_headers: bool) -> tuple[list[ContactInfo], dict[str, int]]:
    report = checked(file, maps, no_headers=no_headers)
    contacts = [
        ContactInfo(timezone=c.get("timezone"), phone=c["phone"], state=c.get("state")) for c in report["contacts"]
    ]
    return contacts, {"invalid": report["invalid"], "duplicate": report["duplicates"]}


def _chart(forecast: Forecast) -> list[str]:
    days = sorted(forecast.steps_per_day.items())
    widest = max((sum(k.values()) for _, k in days), default=1)
    lines = ["steps per day (UTC)"]
    for day, kinds in days:
        total = sum(kinds.values())
        detail = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        lines.append(f"  {day}  {'#' * max(1, round(40 * total / widest)):<40}  {total} ({detail})")
    peak = max(forecast.steps_per_hour.values(), default=1)
    lines.append("steps per hour of the day (UTC)")
    for hour in range(24):
        if count := forecast.steps_per_hour[hour]:
            lines.append(f"  {hour:02d}:00  {'#' * max(1, round(40 * count / peak)):<40}  {count}")
    return lines


@app.command("forecast")
def forecast(
    file: Path = typer.Option(..., "-f", "--file", help="Campaign file (YAML or JSON)"),
    contacts: Path = typer.Option(..., "--contacts", help="CSV of contacts"),
    maps: list[str] = typer.Option([], "--map", help="FIELD=COLUMN (to_number required)"),
    no_headers: bool = typer.Option(False, "--no-headers"),
    start: datetime | None = typer.Option(None, "--start", help="When it starts (ISO with offset; default now)"),
    answer_rate: float = typer.Option(0.3, "--answer-rate", min=0.0, max=1.0),
    calls_per_second: float = typer.Option(5.0, "--calls-per-second", min=0.001),
    concurrency: int = typer.Option(100, "--concurrency", min=1),
    call_seconds: float = typer.Option(60.0, "--call-seconds", min=1.0, help="Average call length, ringing included"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Forecast a campaign before launch; nothing is placed."""
    try:
        spec = CampaignSpec.model_validate(read_spec(file))
    except ValidationError as exc:
        lines = "".join(f"\n  {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise fail(f"{file}: not a valid campaign{lines}", USAGE) from None
    if start is not None and start.tzinfo is None:
        raise fail("--start needs an offset or Z", USAGE)
    readable(contacts)
    people, skipped = _contacts(contacts, maps, no_headers)
    begin = (start or datetime.now(UTC)).astimezone(UTC)
    limits = Limits(calls_per_second, concurrency, call_seconds, answer_rate)
    paced = run(spec, people, begin, limits)
    unpaced = run(spec, people, begin, Limits(1e9, 10**9, call_seconds, answer_rate))
    paced.skipped.update(skipped)
    result = {
        **paced.as_json(),
        "contacts": len(people),
        "pacing_stretch_hours": round(
            ((paced.completes_at or begin) - (unpaced.completes_at or begin)).total_seconds() / 3600, 2
        ),
        "assumptions": {
            "answer_rate": answer_rate,
            "calls_per_second": calls_per_second,
            "concurrency": concurrency,
            "call_seconds": call_seconds,
            "retries": "not simulated",
        },
    }
    if json_out:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(f"{len(people)} contacts; completes at {result['completes_at']} (UTC)")
    typer.echo(
        f"peak concurrency needed: {result['peak_concurrency']}; pacing stretches it by "
        f"{result['pacing_stretch_hours']} h"
    )
    typer.echo("skipped: " + (", ".join(f"{k} {n}" for k, n in result["skipped"].items() if n) or "none"))
    for line in _chart(paced):
        typer.echo(line)
