"""`outreach schedule next`: the scheduling core as a batch check command (no running service needed)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

import typer
from outreach_contracts.window import ContactWindow, TimeRange
from outreach_windows import ContactInfo, next_eligible, resolve_zones
from pydantic import ValidationError

app = typer.Typer(help="Scheduling checks.", no_args_is_help=True)


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def evaluate(case: dict[str, Any]) -> dict[str, Any]:
    """One case -> {"next": ..., "zones": [...]} or {"error": ...}."""
    try:
        window = ContactWindow.model_validate(case["window"])
        raw_contact = case.get("contact") or {}
        contact = ContactInfo(
            timezone=raw_contact.get("timezone"), phone=raw_contact.get("phone"), state=raw_contact.get("state")
        )
        step = TimeRange.model_validate(case["step_window"]) if case.get("step_window") else None
        after = datetime.fromisoformat(str(case["after"]).replace("Z", "+00:00"))
        if after.tzinfo is None:
            return {"error": "after must carry a UTC offset or Z"}
        _, zones = resolve_zones(window, contact)
        found = next_eligible(after, window, contact, step)
    except KeyError as exc:
        return {"error": f"missing field {exc.args[0]}"}
    except ValidationError as exc:
        return {"error": "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())}
    except (ValueError, TypeError) as exc:
        return {"error": str(exc)}
    return {"next": _iso(found) if found else None, "zones": list(zones)}


@app.command("next")
def next_command(input: str = typer.Option(..., "--input", help="JSONL file of cases, or - for stdin")) -> None:
    """Print one JSON line per case: the first eligible instant at or after `after`, and the zones."""
    stream = sys.stdin if input == "-" else open(input, encoding="utf-8")  # noqa: SIM115
    with stream:
        for line in stream:
            if not line.strip():
                continue
            try:
                case = json.loads(line)
                result = evaluate(case) if isinstance(case, dict) else {"error": "case must be a JSON object"}
            except json.JSONDecodeError as exc:
                result = {"error": f"invalid JSON: {exc.msg}"}
            sys.stdout.write(json.dumps(result) + "\n")
