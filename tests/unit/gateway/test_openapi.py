"""The merged public OpenAPI document: public paths, renamed schema clashes, security and gateway answers."""

from __future__ import annotations

from typing import Any

import pytest
from outreach_gateway.entrypoints.openapi import merge

pytestmark = pytest.mark.unit


def _doc(paths: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    return {"openapi": "3.1.0", "info": {}, "paths": paths, "components": {"schemas": schemas}}


def _op(ref: str) -> dict[str, Any]:
    body = {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}
    return {"post": {"requestBody": body, "responses": {"200": {"description": "ok"}}}}


def test_services_are_published_under_their_public_paths() -> None:
    own = _doc({"/api/v1/keys": {"get": {"responses": {}}}, "/api/v1/auth/login": {"post": {"responses": {}}}}, {})
    services = {
        "ingest": _doc({"/dnc": _op("NumbersIn"), "/health": {"get": {}}}, {"NumbersIn": {"title": "dnc"}}),
        "dialer": _doc(
            {"/numbers/import": _op("NumbersIn"), "/webhooks/agents/post-call": {"post": {}}},
            {"NumbersIn": {"title": "registry"}},
        ),
        "metrics": _doc({"/campaigns/{campaign_id}/overview": {"get": {}}, "/campaigns": {"get": {}}}, {}),
    }
    merged = merge(own, services)
    paths = merged["paths"]
    assert "/api/v1/dnc" in paths and "/api/v1/numbers/import" in paths
    assert "/api/v1/health" not in paths and "/health" not in paths
    assert "/api/v1/campaigns" not in paths  # metrics does not own /campaigns (the scheduler does)
    assert "/api/v1/campaigns/{campaign_id}/overview" in paths
    assert "/webhooks/agents/post-call" in paths and paths["/webhooks/agents/post-call"]["post"]["security"] == []
    schemas = merged["components"]["schemas"]
    assert schemas["NumbersIn"] == {"title": "dnc"} and schemas["DialerNumbersIn"] == {"title": "registry"}
    ref = paths["/api/v1/numbers/import"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/DialerNumbersIn"
    dnc = paths["/api/v1/dnc"]["post"]
    assert {"401", "403", "404", "429"} <= set(dnc["responses"]) and dnc["security"]
    assert paths["/api/v1/auth/login"]["post"]["security"] == []
    assert set(merged["components"]["securitySchemes"]) == {"apiKey", "session"}
