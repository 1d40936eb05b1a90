"""The GoHighLevel connector against the fake GoHighLevel, which checks every request against GoHighLevel's
published OpenAPI documents: a tag's contacts by `searchAfter`, a pipeline stage's by `startAfterId`, `dnd`,
changes since an instant, the burst limit, and the write-backs (a note and a tag; `dnd` on opt-out)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from outreach_crm_fakes.gohighlevel import GoHighLevelState, create_app
from outreach_crm_fakes.serve import served
from outreach_ingest.adapters.crm.gohighlevel import GoHighLevel, default_mapping
from outreach_ingest.adapters.crm.http import CrmConnectionError
from outreach_ingest.domain.crm import CallFacts

from tests.integration.crm_writebacks import fake_token, post, records_of, seed, write_backs

pytestmark = pytest.mark.integration


@pytest.fixture
def fake() -> Iterator[tuple[str, GoHighLevelState]]:
    with served(GoHighLevelState(), create_app) as found:
        yield found


async def read(ghl: GoHighLevel, source: dict[str, str], since: datetime | None = None) -> list[Any]:
    return await records_of(ghl, source, default_mapping(), since=since)


async def test_a_tag_and_a_pipeline_stage_are_read_page_by_page(fake: tuple[str, GoHighLevelState]) -> None:
    url, state = fake
    tagged = [{"phone": f"+1415555{i:04d}", "firstName": f"T{i}", "tags": ["renewals"]} for i in range(230)]
    tagged[5]["dnd"] = True
    ids = await seed(url, "contacts", {"location_id": "loc1", "contacts": tagged})
    await post(f"{url}/_fake/contacts", {"location_id": "loc1", "contacts": [{"phone": "+14155559999"}]})  # no tag
    staged = [{"phone": f"+1305555{i:04d}", "name": f"Deal Person{i}"} for i in range(150)]
    stage_ids = await seed(url, "contacts", {"location_id": "loc1", "contacts": staged, "pipeline": ["p1", "s2"]})
    token = await fake_token(url, {"location_id": "loc1"})
    ghl = GoHighLevel({"access_token": token}, base_url=url, settings={"location_id": "loc1"})
    try:
        assert await ghl.check()
        by_tag = await read(ghl, {"tag": "renewals"})
        by_stage = await read(ghl, {"pipeline_id": "p1", "stage_id": "s2"})
    finally:
        await ghl.close()
    assert [r.id for r in by_tag] == ids
    assert [r.id for r in by_tag if r.opted_out] == [ids[5]]
    assert by_tag[0].fields["phone"] == "+14155550000" and by_tag[0].fields["firstName"] == "T0"
    assert [r.id for r in by_stage] == stage_ids and by_stage[3].fields["lastName"] == "Person3"
    assert ghl.http.requests == 1 + 3 + 2
    assert state.violations == []


async def test_changes_since_the_wrong_location_and_the_burst_limit(fake: tuple[str, GoHighLevelState]) -> None:
    url, state = fake
    await post(
        f"{url}/_fake/contacts",
        {"location_id": "loc1", "contacts": [{"phone": "+13125550100", "tags": ["t"]}], "limit": [3, 1.0]},
    )
    since = datetime.now(UTC) + timedelta(seconds=1)
    await asyncio.sleep(2.1)  # GoHighLevel's update times are whole seconds
    later = await seed(url, "contacts", {"location_id": "loc1", "contacts": [{"phone": "+13125550101", "tags": ["t"]}]})
    token = await fake_token(url, {"location_id": "loc1"})
    ghl = GoHighLevel({"access_token": token}, base_url=url, settings={"location_id": "loc1"})
    try:
        for _ in range(3):  # nine requests at three a second: paced, and 429s (if any) waited out
            assert [r.id for r in await read(ghl, {"tag": "t"}, since=since)] == later
            assert len(await read(ghl, {"tag": "t"})) == 2
    finally:
        await ghl.close()
    wrong = GoHighLevel({"access_token": token}, base_url=url, settings={"location_id": "loc2"})
    with pytest.raises(CrmConnectionError, match="access"):
        await wrong.check()
    await wrong.close()
    assert state.violations == []


async def test_write_backs_are_a_note_a_tag_and_dnd(fake: tuple[str, GoHighLevelState]) -> None:
    url, state = fake
    ids = await seed(
        url, "contacts", {"location_id": "loc1", "contacts": [{"phone": "+13125550100"}, {"phone": "+13125550101"}]}
    )
    token = await fake_token(url, {"location_id": "loc1"})
    ghl = GoHighLevel({"access_token": token}, base_url=url, settings={"location_id": "loc1"})
    call = CallFacts(key="cmp:ct:0:1", outcome="no_answer", duration_s=0, at=datetime.now(UTC))
    note = await write_backs(ghl, ids[0], ids[1], call, summary="Call back")
    assert "Summary: Call back" in state.notes[ids[0]][note]["body"]
    assert state.contacts[ids[0]]["tags"] == ["outreach-no-answer"]
    assert state.contacts[ids[1]]["dnd"] is True
    assert state.violations == []
