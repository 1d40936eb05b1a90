"""A number whose answer rate falls well below the pool's is rested, an event says so, and it returns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from outreach_contracts.calls import NumberRested, NumberSelection
from outreach_contracts.contacts import ContactData
from outreach_devstack.stack import free_port
from outreach_dialer.bootstrap import build
from outreach_dialer.config import Settings
from outreach_dialer.handlers.numbers import check_health, flush_answers, pick_number, record_answer

from tests.conftest import Infra
from tests.integration.helpers import caller, read_messages, serving

pytestmark = pytest.mark.integration


async def test_a_number_falling_behind_the_pool_is_rested(infra: Infra, run_id: str) -> None:
    port = free_port()
    settings = Settings(
        kafka_bootstrap=infra.kafka_bootstrap,
        mongo_url=infra.mongo_url,
        mongo_db=f"{run_id}_dialer",
        topic_prefix=f"{run_id}.",
        public_url=f"http://127.0.0.1:{port}",
        health_min_calls=10,
        health_share=0.5,
        health_rest_h=2,
    )
    app = build(settings)
    async with serving(app, port) as url, httpx.AsyncClient(headers=caller()) as http:
        numbers = ["+12125550100", "+13105550100", "+13125550100"]
        await http.post(f"{url}/numbers/import", json={"numbers": [{"number": n} for n in numbers]})
        deps = app.state.deps
        now = datetime.now(UTC)
        rates = {"+12125550100": 6, "+13105550100": 5, "+13125550100": 1}  # answered of 20 each
        for number, answered in rates.items():
            outcomes = [{"at": now - timedelta(minutes=i), "answered": i < answered} for i in range(20)]
            await deps.numbers.update(number, {"outcomes": outcomes})
        assert await check_health(deps) == ["+13125550100"]  # 5% against a pool of 20%
        assert await check_health(deps) == []  # rested once
        listed = {n["number"]: n for n in (await http.get(f"{url}/numbers")).json()}
        assert listed["+13125550100"]["status"] == "rested" and listed["+13125550100"]["answer_rate"] == 0.05
        events = await read_messages(infra.kafka_bootstrap, settings.topics.calls, count=1)
        assert isinstance(events[0], NumberRested) and events[0].number == "+13125550100"
        assert (events[0].answer_rate, events[0].pool_answer_rate) == (0.05, 0.2)
        await deps.numbers.update("+13125550100", {"rested_until": now - timedelta(seconds=1)})
        await check_health(deps)
        assert (await http.get(f"{url}/numbers/+13125550100")).json()["status"] == "active"


async def test_a_busy_number_keeps_a_record_of_constant_size(infra: Infra, run_id: str) -> None:
    """Thousands of calls from one number without caps: its record holds hourly counts and no list of uses
    (a list of every call's outcome and use grew by one entry a call, and every call read and rewrote it)."""
    port = free_port()
    settings = Settings(kafka_bootstrap=infra.kafka_bootstrap, mongo_url=infra.mongo_url, mongo_db=f"{run_id}_busy",
                        topic_prefix=f"{run_id}.", public_url=f"http://127.0.0.1:{port}")  # fmt: skip
    app = build(settings)
    async with serving(app, port) as url, httpx.AsyncClient(headers=caller()) as http:
        await http.post(f"{url}/numbers", json={"number": "+12125550100", "tags": ["busy"]})
        deps = app.state.deps
        selection = NumberSelection(tags=["busy"])
        for i in range(300):
            chosen = await pick_number(selection, ContactData(phone="+13125550199"), deps, workspace_id="ws")
            assert chosen == "+12125550100"
            await record_answer(chosen, i % 4 == 0, deps, workspace_id="ws")
        assert await flush_answers(deps) == 1  # counted in memory, written with one $inc
        doc = await deps.numbers.get("+12125550100")
        assert doc["uses"] == [] and len(doc["answers"]) <= 2, doc  # this hour (and the last, at a turn)
        assert sum(b["calls"] for b in doc["answers"].values()) == 300
        shown = (await http.get(f"{url}/numbers/+12125550100")).json()
        assert (shown["recent_calls"], shown["answer_rate"]) == (300, 0.25)
