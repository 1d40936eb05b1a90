"""`outreach contacts import|rejected|list`: upload a CSV into a campaign with progress, the verdicts,
the rejected rows as CSV, and each contact's state."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import IO, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

from outreach_cli.client import JSON, KEY, URL, USAGE, Api, call, fail, readable
from outreach_cli.contacts import app, pairs_of
from outreach_cli.output import as_json, console, field, show

FINAL = ("completed", "failed", "canceled")


class _Counted:
    """A file whose reads advance a progress bar (httpx reads an upload in chunks)."""

    def __init__(self, handle: IO[bytes], advance: Any) -> None:
        self._handle, self._advance = handle, advance

    def read(self, size: int = -1) -> bytes:
        chunk = self._handle.read(size)
        self._advance(len(chunk))
        return chunk


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="CSV file"),
    campaign: str = typer.Option(..., "--campaign", help="Campaign id"),
    maps: list[str] = typer.Option([], "--map", help="FIELD=COLUMN, e.g. to_number=Phone (to_number is required)"),
    no_headers: bool = typer.Option(False, "--no-headers", help="The first record is data"),
    keep_duplicates: bool = typer.Option(False, "--keep-duplicates", help="Import repeated numbers too"),
    default_region: str = typer.Option("US", "--default-region", help="Region of numbers without +country"),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """Upload, follow the import job (rows read, imported, rejected) and print the verdicts."""
    readable(file)
    mapping = pairs_of(maps)
    if "to_number" not in mapping:
        raise fail("--map to_number=COLUMN is required (the column of phone numbers)", USAGE)
    form = {
        "campaign_id": campaign,
        "mapping": json.dumps(mapping),
        "has_headers": str(not no_headers).lower(),
        "skip_duplicates": str(not keep_duplicates).lower(),
        "default_region": default_region,
    }
    quiet = json_out or not console().is_terminal
    with (
        Api(url, key) as api,
        Progress(
            TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(), disable=quiet
        ) as progress,
    ):
        upload = progress.add_task("upload", total=file.stat().st_size)
        with file.open("rb") as handle:
            counted = _Counted(handle, lambda n: progress.advance(upload, n))
            job = api.call("POST", "/imports", data=form, files={"file": (file.name, counted, "text/csv")})
        rows = progress.add_task("import (rows)", total=None)
        while job["status"] not in FINAL:
            time.sleep(0.5)
            job = api.call("GET", "/imports/{import_id}", {"import_id": job["id"]})
            progress.update(rows, completed=job.get("rows", 0), description=f"import: {job['status']}")
    if json_out:
        as_json(job)
    else:
        _verdict(job)
    if job["status"] != "completed":
        raise typer.Exit(1)


def _verdict(job: dict[str, Any]) -> None:
    typer.echo(f"import {job['id']}: {job['status']}")
    for name in ("rows", "imported", "rejected", "duplicates", "invalid", "suppressed"):
        if name in job:
            typer.echo(f"  {name}: {job[name]}")
    if job.get("rejected"):
        typer.echo(f"  the rejected rows: outreach contacts rejected {job['id']} -o rejected.csv")


@app.command("rejected")
def rejected(
    import_id: str = typer.Argument(...),
    out: Path | None = typer.Option(None, "-o", "--output", help="Write the CSV here (default: stdout)"),
    url: str = URL,
    key: str = KEY,
) -> None:
    """The rows an import did not take, with the reason each (CSV)."""
    text = call(url, key, "GET", "/imports/{import_id}/rejected.csv", {"import_id": import_id})
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)


@app.command("list")
def list_contacts(
    campaign: str = typer.Option(..., "--campaign", help="Campaign id"),
    state: list[str] = typer.Option([], "--state", help="queued, active, exited, errored or completed (repeat)"),
    limit: int = typer.Option(1000, min=1, help="At most this many"),
    json_out: bool = JSON,
    url: str = URL,
    key: str = KEY,
) -> None:
    """Each contact's state, its next due instant in its own time, and its exit reason."""
    items: list[dict[str, Any]] = []
    after: str | None = None
    with Api(url, key) as api:
        while len(items) < limit:
            params: dict[str, Any] = {"state": state, "limit": min(1000, limit - len(items))}
            if after:
                params["after"] = after
            page = api.call("GET", "/campaigns/{campaign_id}/contacts", {"campaign_id": campaign}, params=params)
            items += page["items"]
            after = page["next"]
            if after is None:
                break
    columns = [
        ("CONTACT", field("contact_id")),
        ("PHONE", field("phone")),
        ("STATE", field("state")),
        ("STEP", lambda r: r["step_index"] + 1),
        ("NEXT DUE (LOCAL)", field("due_local", "-")),
        ("ZONE", field("timezone")),
        ("REASON", field("reason", "-")),
    ]
    show({"items": items}, items, columns, json_out=json_out)
