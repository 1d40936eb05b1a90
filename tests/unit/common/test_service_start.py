"""A service that says so is ready before its subscribers have joined their consumer groups, and unready when
they fail to start; the others are ready once they have joined (a stand-in broker: what is tested is the
shell's order, not Kafka)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from outreach_common import service
from outreach_common.service import ServiceShell
from outreach_common.settings import ServiceSettings

pytestmark = pytest.mark.unit


class JoiningBroker:
    """Connects at once; its subscribers' start waits until `joined` is set (a group join), or fails."""

    def __init__(self, *, fails: bool = False) -> None:
        self.joined, self.fails = asyncio.Event(), fails
        self.calls: list[str] = []

    async def connect(self) -> None:
        self.calls.append("connect")

    async def start(self) -> None:
        self.calls.append("start")
        await self.joined.wait()
        if self.fails:
            raise RuntimeError("no group coordinator")
        self.calls.append("joined")

    async def stop(self) -> None:
        self.calls.append("stop")

    async def ping(self, timeout: float) -> bool:
        return True


@pytest.fixture(autouse=True)
def no_database(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_indexes(db: object, specs: object) -> None:
        return None

    async def answers(client: object) -> bool:
        return True

    monkeypatch.setattr(service, "ensure_indexes", no_indexes)
    monkeypatch.setattr(service, "ping", answers)


@asynccontextmanager
async def started(
    broker: JoiningBroker, ticks: list[int], *, ready_before_consuming: bool
) -> AsyncIterator[tuple[ServiceShell, httpx.AsyncClient]]:
    shell = ServiceShell(ServiceSettings())
    shell.broker = broker  # type: ignore[assignment]

    async def tick() -> None:
        ticks.append(1)

    app = shell.app(
        description="test", indexes=[], loops=[("tick", 0.01, tick)], ready_before_consuming=ready_before_consuming
    )
    async with asyncio.timeout(5), app.router.lifespan_context(app):  # a start that never ends fails here
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
            yield shell, http


async def _health(http: httpx.AsyncClient) -> tuple[int, bool]:
    response = await http.get("/health")
    return response.status_code, response.json()["consuming"]


async def test_a_service_ready_before_consuming_serves_and_acts_while_its_subscribers_join() -> None:
    broker, ticks = JoiningBroker(), list[int]()
    async with started(broker, ticks, ready_before_consuming=True) as (_, http):
        await asyncio.sleep(0.05)
        assert await _health(http) == (200, False)
        assert ticks, "its loops run during the join"
        broker.joined.set()
        await asyncio.sleep(0.01)
        assert await _health(http) == (200, True)
    assert broker.calls == ["connect", "start", "joined", "stop"]


async def test_other_services_are_ready_once_their_subscribers_joined() -> None:
    broker, ticks = JoiningBroker(), list[int]()
    loop = asyncio.get_running_loop()
    loop.call_later(0.1, broker.joined.set)  # the join ends while the start waits for it
    async with started(broker, ticks, ready_before_consuming=False) as (_, http):
        assert broker.calls == ["connect", "start", "joined"]  # nothing served or run before
        assert await _health(http) == (200, True)


async def test_subscribers_that_fail_to_start_make_the_service_unready() -> None:
    broker = JoiningBroker(fails=True)
    async with started(broker, [], ready_before_consuming=True) as (_, http):
        assert await _health(http) == (200, False)
        broker.joined.set()
        await asyncio.sleep(0.01)
        assert await _health(http) == (503, False)


async def test_a_stop_during_the_join_cancels_it() -> None:
    broker = JoiningBroker()
    async with started(broker, [], ready_before_consuming=True) as (shell, http):
        await asyncio.sleep(0.01)
        assert await _health(http) == (200, False)
    assert broker.calls == ["connect", "start", "stop"]
    assert shell.subscribing is not None and shell.subscribing.cancelled()
