"""OpenAPI and AsyncAPI documents are generated from the code of every service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from outreach_cli.docs import SERVICES, run

pytestmark = pytest.mark.unit


def test_every_service_documents_its_http_and_kafka_surface(tmp_path: Path) -> None:
    run(out=tmp_path)
    for service in SERVICES:
        openapi = json.loads((tmp_path / f"{service}.openapi.json").read_text())
        assert "/health" in openapi["paths"]
        asyncapi = json.loads((tmp_path / f"{service}.asyncapi.json").read_text())
        assert asyncapi["asyncapi"].startswith("3.")
        if service != "ingest":  # ingest only produces
            assert any(".v1" in channel for channel in asyncapi["channels"])
    assert "/campaigns/{campaign_id}/start" in json.loads((tmp_path / "scheduler.openapi.json").read_text())["paths"]


def test_every_message_type_is_documented_with_its_schema_on_its_topic(tmp_path: Path) -> None:
    """Subscribers read raw records; the documents still show what each topic carries: every contract
    model appears on a channel of some service, and every channel a service reads has a payload."""
    from outreach_contracts.registry import ALL_MODELS

    run(out=tmp_path)
    documented: set[str] = set()
    for service in SERVICES:
        asyncapi = json.loads((tmp_path / f"{service}.asyncapi.json").read_text())
        messages = asyncapi["components"]["messages"]
        for channel in asyncapi["channels"].values():
            for ref in channel["messages"].values():
                payload = messages[ref["$ref"].rsplit("/", 1)[-1]]["payload"]
                assert "oneOf" in payload or "$ref" in payload, (service, channel["address"], payload)
                documented |= {r["$ref"].rsplit("/", 1)[-1] for r in payload.get("oneOf", [payload])}
    assert {model.__name__ for model in ALL_MODELS} <= documented


def test_the_console_client_is_generated_from_the_current_public_api() -> None:
    """The console's types come from `console/src/api/openapi.json`; it must be the document the code makes
    now (`make console-api` regenerates both), so no request or response type is stale or hand-written."""
    from outreach_cli.docs import public_openapi

    committed = json.loads((Path(__file__).resolve().parents[2] / "console/src/api/openapi.json").read_text())
    assert committed == json.loads(json.dumps(public_openapi(), default=str)), "run `make console-api`"
