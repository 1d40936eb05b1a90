"""`outreach docs`: write each service's OpenAPI and AsyncAPI documents, generated from the code."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import typer
from faststream.specification import AsyncAPI

SERVICES = ("ingest", "scheduler", "dialer", "messenger", "metrics")


def run(out: Path = typer.Option(Path("docs/generated"), help="Folder to write into")) -> None:
    """Build each service's app (no connection is opened) and dump its OpenAPI and AsyncAPI documents."""
    out.mkdir(parents=True, exist_ok=True)
    for service in SERVICES:
        app = importlib.import_module(f"outreach_{service}.bootstrap").build()
        (out / f"{service}.openapi.json").write_text(json.dumps(app.openapi(), indent=2, default=str) + "\n")
        spec = AsyncAPI(
            app.state.broker, title=f"Outreach {service}", version="0.1.0", description=app.description
        ).to_specification()
        (out / f"{service}.asyncapi.json").write_text(json.dumps(spec.to_jsonable(), indent=2) + "\n")
        typer.echo(f"{service}: {out / service}.openapi.json, .asyncapi.json")
