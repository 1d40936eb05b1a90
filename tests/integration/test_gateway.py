"""The gateway on the real MongoDB-wire server, in front of a stand-in service that echoes what reaches
it: the signed identity it forwards, what it strips, upload limits, an unavailable service, rate limits."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from outreach_common.identity import HEADER, verify
from outreach_common.settings import DEV_SECRET
from outreach_devstack.stack import free_port
from outreach_gateway.bootstrap import build
from outreach_gateway.config import Settings

from bench.sink import body_size
from tests.conftest import Infra
from tests.integration.helpers import serving

pytestmark = pytest.mark.integration


async def echo(scope: Any, receive: Any, send: Any) -> None:
    """A stand-in service: answers with the path, headers and body size it was given."""
    if scope["type"] != "http":
        return
    size = await body_size(receive)
    seen = {
        "path": scope["raw_path"].decode(),
        "query": scope["query_string"].decode(),
        "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
        "bytes": size,
    }
    body = json.dumps(seen).encode()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


async def chunks(total: int, size: int = 1 << 16) -> AsyncIterator[bytes]:
    for _ in range(total // size):
        yield b"x" * size


async def test_the_gateway_forwards_a_signed_identity_and_guards_its_door(infra: Infra, run_id: str) -> None:
    echo_port, dead_port = free_port(), free_port()
    settings = Settings(
        mongo_url=infra.mongo_url,
        mongo_db=f"{run_id}_gateway",
        ingest_url=f"http://127.0.0.1:{echo_port}",
        dialer_url=f"http://127.0.0.1:{dead_port}",  # nothing listens there
        max_upload_bytes=1 << 20,
        rate_per_s=1,
        rate_burst=30,
    )
    async with (
        serving(echo, echo_port),
        serving(build(settings), free_port()) as gateway,
        httpx.AsyncClient(base_url=gateway, timeout=30) as http,
    ):
        created = await http.post(
            "/api/v1/workspaces",
            json={"name": "gw", "admin_email": f"{run_id}@example.com", "admin_password": "long enough"},
            headers={"X-Bootstrap-Token": DEV_SECRET},
        )
        assert created.status_code == 201
        key, workspace = created.json()["api_key"], created.json()["workspace_id"]
        wrong_token = await http.post(
            "/api/v1/workspaces",
            json={"name": "x", "admin_email": "x@example.com", "admin_password": "long enough"},
            headers={"X-Bootstrap-Token": "guess"},
        )
        assert wrong_token.status_code == 401
        auth = {"Authorization": f"Bearer {key}"}

        forged = {**auth, HEADER: "forged.identity", "Cookie": "a=b"}
        seen = (await http.get("/api/v1/imports/imp%2F1", params={"q": "1"}, headers=forged)).json()
        assert seen["path"] == "/imports/imp%2F1" and seen["query"] == "q=1"
        assert "authorization" not in seen["headers"] and "cookie" not in seen["headers"]
        identity = verify(seen["headers"][HEADER.lower()], [DEV_SECRET])
        assert identity.workspace_id == workspace and identity.allows("admin")

        assert (await http.get("/api/v1/imports/x")).status_code == 401
        assert (await http.get("/api/v1/nowhere", headers=auth)).status_code == 404
        assert (await http.get("/api/v1/calls", headers=auth)).status_code == 502

        big = await http.post("/api/v1/imports", content=b"x" * ((1 << 20) + 1), headers=auth)
        assert big.status_code == 413  # by its Content-Length, before a byte goes on
        streamed = await http.post("/api/v1/imports", content=chunks(2 << 20), headers=auth)
        assert streamed.status_code == 413  # no length given: stopped once past the limit
        fits = await http.post("/api/v1/imports", content=chunks(1 << 19), headers=auth)
        assert fits.json()["bytes"] == 1 << 19

        answers = [(await http.get("/api/v1/imports/x", headers=auth)).status_code for _ in range(40)]
        assert 429 in answers
        limited = await http.get("/api/v1/imports/x", headers=auth)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
