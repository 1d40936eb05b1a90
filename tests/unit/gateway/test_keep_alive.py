"""The gateway closes its idle pooled connections before the services close theirs: a connection the
service closed while the gateway reused it would fail that request with a 502."""

from __future__ import annotations

import pytest
from outreach_common.runtime import KEEP_ALIVE_S
from outreach_gateway.adapters.upstream import UPSTREAM_IDLE_S, Upstreams

pytestmark = pytest.mark.unit


async def test_the_gateway_lets_go_of_an_idle_connection_before_the_service_does() -> None:
    assert UPSTREAM_IDLE_S < KEEP_ALIVE_S
    upstreams = Upstreams({"ingest": "http://127.0.0.1:9"})
    try:
        assert upstreams.session.connector is not None
        assert upstreams.session.connector._keepalive_timeout == UPSTREAM_IDLE_S  # type: ignore[attr-defined]
    finally:
        await upstreams.close()
