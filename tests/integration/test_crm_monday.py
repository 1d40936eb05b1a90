"""The monday.com connector against the fake monday.com, which validates every GraphQL query against
monday's published schema: a group's items by `items_page` cursors, the opt-out column, the complexity
budget running out, the write-backs (an update per call, the opt-out column set)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from outreach_crm_fakes.monday import MondayState, create_app
from outreach_crm_fakes.serve import served
from outreach_ingest.adapters.crm.http import CrmConnectionError
from outreach_ingest.adapters.crm.monday import Monday, default_mapping
from outreach_ingest.domain.crm import CallFacts

from tests.integration.crm_writebacks import fake_token, post, records_of, seed, write_backs

pytestmark = pytest.mark.integration


@pytest.fixture
def fake() -> Iterator[tuple[str, MondayState]]:
    with served(MondayState(), create_app) as found:
        yield found


async def read(mon: Monday, source: dict[str, str]) -> list[Any]:
    return await records_of(mon, source, default_mapping())


async def test_a_group_is_read_by_cursor_with_its_opt_out_column(fake: tuple[str, MondayState]) -> None:
    url, state = fake
    items = [{"name": f"Lead {i}", "columns": {"phone": f"+1212555{i:04d}", "dnc": "Do not call" if i == 3 else ""}}
             for i in range(1100)]  # fmt: skip
    ids = await seed(url, "items", {"board": "b1", "group": "new_leads", "items": items})
    await post(
        f"{url}/_fake/items",
        {"board": "b1", "group": "other", "items": [{"name": "x", "columns": {"phone": "+13125550100"}}]},
    )
    token = await fake_token(url)
    mon = Monday({"access_token": token}, base_url=url, opt_out_column="dnc")
    try:
        assert "Fake User" in await mon.check()
        records = await read(mon, {"board_id": "b1", "group_id": "new_leads"})
        everything = await read(mon, {"board_id": "b1"})
    finally:
        await mon.close()
    assert [r.id for r in records] == ids and len(everything) == 1101
    assert records[0].fields == {"name": "Lead 0", "phone": "+12125550000"}
    assert [r.id for r in records if r.opted_out] == [ids[3]]
    assert mon.http.requests == 1 + 3 + 3
    assert state.violations == []


async def test_a_spent_complexity_budget_waits_for_its_reset(fake: tuple[str, MondayState]) -> None:
    url, state = fake
    items = [{"name": f"L{i}", "columns": {"phone": f"+1415555{i:04d}"}} for i in range(1500)]
    await post(f"{url}/_fake/items", {"board": "b2", "group": "g", "items": items, "budget": [12_000, 2.0]})
    mon = Monday({"access_token": await fake_token(url)}, base_url=url)
    started = asyncio.get_running_loop().time()
    try:
        assert len(await read(mon, {"board_id": "b2", "group_id": "g"})) == 1500  # three pages of 5,000 each
    finally:
        await mon.close()
    assert asyncio.get_running_loop().time() - started >= 1.5  # the third page waited for the budget's reset
    assert state.violations == []


async def test_write_backs_and_a_refused_token(fake: tuple[str, MondayState]) -> None:
    url, state = fake
    ids = await seed(
        url, "items", {"board": "b3", "group": "g", "items": [{"name": "A", "columns": {"phone": "+13125550100"}}]}
    )
    mon = Monday({"access_token": await fake_token(url)}, base_url=url, opt_out_column="dnc")
    call = CallFacts(key="cmp:ct:0:1", outcome="busy", duration_s=0, at=datetime.now(UTC))
    await write_backs(mon, ids[0], ids[0], call, summary="Later")
    item = state.items[ids[0]]
    assert (
        item["updates"][0]["body"].startswith("Outreach call cmp:ct:0:1")
        and "Summary: Later" in item["updates"][0]["body"]
    )
    assert item["columns"]["dnc"] == "Do not call"
    wrong = Monday({"access_token": "not-a-token"}, base_url=url)
    with pytest.raises(CrmConnectionError, match="refused"):
        await wrong.check()
    await wrong.close()
    assert state.violations == []
