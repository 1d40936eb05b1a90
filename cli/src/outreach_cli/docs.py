"""`outreach docs`: write each service's OpenAPI and AsyncAPI documents, generated from the code."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import typer
from faststream.specification import AsyncAPI
from outreach_common.consumer import payloads_of
from pydantic import TypeAdapter

SERVICES = ("ingest", "scheduler", "dialer", "messenger", "metrics")


def run(out: Path = typer.Option(Path("docs/generated"), help="Folder to write into")) -> None:
    """Build each service's app (no connection is opened) and dump its OpenAPI and AsyncAPI documents."""
    out.mkdir(parents=True, exist_ok=True)
    for service in SERVICES:
        app = importlib.import_module(f"outreach_{service}.bootstrap").build()
        (out / f"{service}.openapi.json").write_text(json.dumps(app.openapi(), indent=2, default=str) + "\n")
        broker = app.state.broker
        spec = AsyncAPI(broker, title=f"Outreach {service}", version="0.1.0", description=app.description)
        document = with_payloads(spec.to_specification().to_jsonable(), payloads_of(broker))
        (out / f"{service}.asyncapi.json").write_text(json.dumps(document, indent=2) + "\n")
        typer.echo(f"{service}: {out / service}.openapi.json, .asyncapi.json")
    (out / "public.openapi.json").write_text(json.dumps(public_openapi(), indent=2, default=str) + "\n")
    typer.echo(f"public API: {out / 'public.openapi.json'}")


def public_openapi() -> dict[str, Any]:
    """The gateway's merged document (its own operations and each service's under their public paths), as
    it serves it at `/api/v1/openapi.json`, built from the code without starting anything."""
    from outreach_gateway.bootstrap import build
    from outreach_gateway.entrypoints.openapi import merge

    services = {s: importlib.import_module(f"outreach_{s}.bootstrap").build().openapi() for s in SERVICES}
    return merge(build().openapi(), json.loads(json.dumps(services, default=str)))


def with_payloads(document: dict[str, Any], payloads: dict[str, TypeAdapter[Any]]) -> dict[str, Any]:
    """The AsyncAPI document with each subscribed channel's message schema (the union of contract models
    the topic carries, each model under `components.schemas`)."""
    components = document.setdefault("components", {})
    schemas, messages = components.setdefault("schemas", {}), components.setdefault("messages", {})
    for channel in document.get("channels", {}).values():
        adapter = payloads.get(channel.get("address", ""))
        if adapter is None:
            continue
        schema = adapter.json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        for ref in channel.get("messages", {}).values():
            messages[ref["$ref"].rsplit("/", 1)[-1]]["payload"] = schema
    used = json.dumps(messages)
    if "EmptyPayload" in schemas and "#/components/schemas/EmptyPayload" not in used:
        del schemas["EmptyPayload"]
    return document
