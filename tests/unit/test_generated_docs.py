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
