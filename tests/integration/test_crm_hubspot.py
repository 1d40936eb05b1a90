"""The HubSpot connector against the fake HubSpot, which checks every request against HubSpot's published
OpenAPI documents: paging, the rate limit, OAuth refresh, refused tokens, changes since an instant, and
the write-backs."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from outreach_crm_fakes.hubspot import HubSpotState, create_app
from outreach_crm_fakes.serve import served
from outreach_ingest.adapters.crm.http import CrmConnectionError
from outreach_ingest.adapters.crm.hubspot import HubSpot, default_mapping, token_url
from outreach_ingest.adapters.crm.oauth import token_request
from outreach_ingest.domain.crm import CallFacts

from tests.integration.crm_writebacks import records_of, write_backs

pytestmark = pytest.mark.integration


@pytest.fixture
def fake() -> Iterator[tuple[str, HubSpotState]]:
    with served(HubSpotState(), create_app) as found:
        yield found


def seed(url: str, count: int, **extra: Any) -> list[str]:
    contacts = [
        {"phone": f"+1212555{i:04d}", "firstname": f"C{i}", "hs_timezone": "america_slash_chicago"}
        for i in range(count)
    ]
    ids: list[str] = httpx.post(f"{url}/_fake/contacts", json={"list_id": "7", "contacts": contacts, **extra}).json()[
        "ids"
    ]
    return ids


def token(url: str, **body: Any) -> str:
    found: str = httpx.post(f"{url}/_fake/private-app-token", json=body).json()["token"]
    return found


async def read_all(hs: HubSpot, **kw: Any) -> list[Any]:
    return await records_of(hs, {"list_id": "7"}, default_mapping(), **kw)


async def test_a_list_is_read_page_by_page_with_the_crm_opt_out(fake: tuple[str, HubSpotState]) -> None:
    url, state = fake
    ids = seed(url, 520)
    state.contacts[ids[7]]["do_not_call"] = "true"
    hs = HubSpot({"access_token": token(url)}, base_url=url)
    try:
        records = await read_all(hs)
    finally:
        await hs.close()
    assert [r.id for r in records] == ids
    assert records[0].fields["hs_timezone"] == "America/Chicago"
    assert [r.id for r in records if r.opted_out] == [ids[7]] and "do_not_call" in (records[7].opted_out or "")
    assert hs.http.requests == 3 + 6  # three pages of memberships (250, 250, 20), six batch reads (100, 20)
    assert state.violations == []


async def test_the_rate_limit_is_kept_and_a_429_waits_as_asked(fake: tuple[str, HubSpotState]) -> None:
    url, state = fake
    seed(url, 300, limit=[6, 1.0])  # six requests a second for the token
    shared = token(url)
    first, second = HubSpot({"access_token": shared}, base_url=url), HubSpot({"access_token": shared}, base_url=url)
    started = time.monotonic()
    try:  # two readers share one budget: each paces itself, the other's requests cause 429s, retried
        both = await asyncio.gather(read_all(first), read_all(second))
    finally:
        await first.close()
        await second.close()
    assert [len(r) for r in both] == [300, 300]
    assert state.limit.refused > 0  # they met the limit ...
    assert time.monotonic() - started >= (2 * 5 - 6) / 6  # ... and were held to it (10 requests, 6 a second)
    assert state.violations == []


async def test_an_oauth_token_is_refreshed_when_it_expires_and_kept(fake: tuple[str, HubSpotState]) -> None:
    url, _ = fake
    seed(url, 3)
    consent = {"client_id": "fake-client", "redirect_uri": "http://x/cb", "state": "s"}
    async with httpx.AsyncClient() as client:
        back = await client.get(f"{url}/oauth/authorize", params=consent, follow_redirects=False)
    code = back.headers["location"].split("code=")[1].split("&")[0]
    form = {"grant_type": "authorization_code", "client_id": "fake-client", "client_secret": "fake-secret",
            "redirect_uri": "http://x/cb", "code": code}  # fmt: skip
    secrets = await token_request(token_url(url), form, crm="HubSpot")
    saved: list[dict[str, Any]] = []

    async def save(updated: dict[str, Any]) -> None:
        saved.append(dict(updated))

    oauth = {"client_id": "fake-client", "client_secret": "fake-secret"}
    hs = HubSpot({**secrets, "expires_at": time.time() - 1}, base_url=url, oauth=oauth, save=save)
    try:
        assert len(await read_all(hs)) == 3
    finally:
        await hs.close()
    assert len(saved) == 1 and saved[0]["access_token"] != secrets["access_token"]
    assert saved[0]["expires_at"] > time.time() + 600

    await asyncio.to_thread(httpx.post, f"{url}/_fake/revoke", json={"all": True})
    stale = HubSpot({**saved[0], "expires_at": 0}, base_url=url, oauth=oauth, save=save)
    with pytest.raises(CrmConnectionError, match="refused"):
        await read_all(stale)
    await stale.close()


async def test_a_refused_token_says_why(fake: tuple[str, HubSpotState]) -> None:
    url, _ = fake
    seed(url, 3)
    for secret, words in (
        (token(url, missing_scopes=["crm.lists.read"]), "scope"),
        ("pat-unknown", "revoked or wrong"),
    ):
        hs = HubSpot({"access_token": secret}, base_url=url)
        with pytest.raises(CrmConnectionError, match=words):
            await read_all(hs)
        await hs.close()


async def test_an_incremental_read_has_only_what_changed(fake: tuple[str, HubSpotState]) -> None:
    url, state = fake
    ids = seed(url, 260)
    since = datetime.now(UTC) + timedelta(seconds=1)
    await asyncio.sleep(1.1)
    touched = {"ids": [ids[3], ids[255]], "properties": {"firstname": "New"}}
    await asyncio.to_thread(httpx.post, f"{url}/_fake/touch", json=touched)
    hs = HubSpot({"access_token": token(url)}, base_url=url)
    try:
        changed = await read_all(hs, since=since)
    finally:
        await hs.close()
    assert [(r.id, r.fields["firstname"]) for r in changed] == [(ids[3], "New"), (ids[255], "New")]
    assert state.violations == []


async def test_write_backs_are_what_hubspot_documents(fake: tuple[str, HubSpotState]) -> None:
    url, state = fake
    ids = seed(url, 2)
    hs = HubSpot({"access_token": token(url)}, base_url=url)
    call = CallFacts(key="cmp:ct:0:1", outcome="no_answer", duration_s=0, at=datetime.now(UTC))
    crm_id = await write_backs(hs, ids[0], ids[1], call, outcome="answered_human", duration_s=61, summary="Will renew")
    stored = state.calls[crm_id]
    assert stored["associations"][0]["to"]["id"] == ids[0]
    assert stored["associations"][0]["types"][0]["associationTypeId"] == 194
    assert "Summary: Will renew" in stored["properties"]["hs_call_body"]
    assert stored["properties"]["hs_call_disposition"] == "f240bbac-87c9-4f6e-bf70-924b57d47db7"
    assert state.contacts[ids[1]]["do_not_call"] == "true"
    assert state.violations == [] and math.isfinite(state.requests)
