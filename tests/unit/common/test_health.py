"""Liveness and readiness are separate: a dependency down makes a service unready, not dead."""

from __future__ import annotations

import httpx
import pytest
from outreach_common.http import make_http_app
from prometheus_client import CollectorRegistry

pytestmark = pytest.mark.unit


async def test_a_database_outage_is_unready_but_alive() -> None:
    async def nothing() -> None:
        return None

    async def down() -> bool:
        return False

    app = make_http_app(
        service="x", registry=CollectorRegistry(), startup=nothing, shutdown=nothing, checks={"mongo": down}
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        assert (await http.get("/health/live")).status_code == 200
        ready = await http.get("/health/ready")
        assert ready.status_code == 503 and ready.json()["checks"] == {"mongo": False}
        assert (await http.get("/health")).status_code == 503
