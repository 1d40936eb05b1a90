"""A service is ready before its subscribers have joined their consumer groups, and unready when they fail to
start (a stand-in broker: what is tested is the shell's order, not Kafka)."""

from __future__ import annotations

import asyncio
from typing import Any

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


async def _no_indexes(db: Any, specs: Any) -> None:
    return None


async def _database_answers(client: Any) -> bool:
    return True


async def _health(
    shell: ServiceShell, broker: JoiningBroker, *, then_join: bool, act_before_consuming: bool = False
) -> tuple[tuple[int, bool], tuple[int, bool], list[str]]:
    shell.broker = broker  # type: ignore[assignment]
    ticks: list[int] = []

    async def tick() -> None:
        ticks.append(1)

    app = shell.app(
        description="test", indexes=[], loops=[("tick", 0.01, tick)], act_before_consuming=act_before_consuming
    )
    async with asyncio.timeout(5), app.router.lifespan_context(app):  # a start that waits for the join: fails
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as http:
            await asyncio.sleep(0.05)
            first = await http.get("/health")
            assert bool(ticks) == act_before_consuming, "the loops wait for the join unless told not to"
            broker.joined.set() if then_join else None
            await asyncio.sleep(0.05)
            assert bool(ticks) == (then_join and not broker.fails) or act_before_consuming
            then = await http.get("/health")
    before, after = ((r.status_code, r.json()["consuming"]) for r in (first, then))
    return before, after, broker.calls


@pytest.mark.parametrize("act_before_consuming", [False, True])
async def test_a_service_serves_while_its_subscribers_join_and_its_loops_start_once_they_have(
    monkeypatch: pytest.MonkeyPatch, act_before_consuming: bool
) -> None:
    monkeypatch.setattr(service, "ensure_indexes", _no_indexes)
    monkeypatch.setattr(service, "ping", _database_answers)
    shell = ServiceShell(ServiceSettings())
    before, after, calls = await _health(
        shell, JoiningBroker(), then_join=True, act_before_consuming=act_before_consuming
    )
    assert (before, after) == ((200, False), (200, True))  # ready at once; consuming once joined
    assert calls == ["connect", "start", "joined", "stop"]


async def test_subscribers_that_fail_to_start_make_the_service_unready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "ensure_indexes", _no_indexes)
    monkeypatch.setattr(service, "ping", _database_answers)
    before, after, _ = await _health(ServiceShell(ServiceSettings()), JoiningBroker(fails=True), then_join=True)
    assert (before, after) == ((200, False), (503, False))


async def test_a_stop_during_the_join_cancels_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "ensure_indexes", _no_indexes)
    monkeypatch.setattr(service, "ping", _database_answers)
    shell = ServiceShell(ServiceSettings())
    _, _, calls = await _health(shell, JoiningBroker(), then_join=False)
    assert calls == ["connect", "start", "stop"]
    assert shell.subscribing is not None and shell.subscribing.cancelled()
