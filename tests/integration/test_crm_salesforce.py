"""The Salesforce connector against the fake Salesforce: Contacts by a filter, a list view and a campaign's
members, paged by `nextRecordsUrl` (and resumed from one), `DoNotCall`, an expired session refreshed once,
changes since an instant, the org's daily limit, and the write-backs (a completed Task; `DoNotCall`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from outreach_crm_fakes.salesforce import SalesforceState, create_app
from outreach_crm_fakes.serve import served
from outreach_ingest.adapters.crm.http import CrmRefusedError
from outreach_ingest.adapters.crm.oauth import token_request
from outreach_ingest.adapters.crm.salesforce import Salesforce, default_mapping, token_url
from outreach_ingest.domain.crm import CallFacts

from tests.integration.crm_writebacks import post, records_of, seed, write_backs

pytestmark = pytest.mark.integration
OAUTH = {"client_id": "sf-client", "client_secret": "sf-secret"}


@pytest.fixture
def fake() -> Iterator[tuple[str, SalesforceState]]:
    with served(SalesforceState(), create_app) as found:
        yield found


async def connect(url: str) -> dict[str, Any]:
    """Through the web server flow, as the console's button does."""
    consent = {"client_id": "sf-client", "redirect_uri": "http://x/cb", "state": "s", "response_type": "code"}
    async with httpx.AsyncClient() as client:
        back = await client.get(f"{url}/services/oauth2/authorize", params=consent)
    code = back.headers["location"].split("code=")[1].split("&")[0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://x/cb", **OAUTH}
    return await token_request(token_url(url), form, crm="Salesforce", keep=("instance_url",))


async def read(sf: Salesforce, source: dict[str, str], **kw: Any) -> list[Any]:
    return await records_of(sf, source, default_mapping(), **kw)


async def test_contacts_by_filter_list_view_and_campaign(fake: tuple[str, SalesforceState]) -> None:
    url, state = fake
    people = [{"FirstName": f"P{i}", "LastName": "Lee", "Phone": f"+1212555{i:04d}",
               "LeadSource": "Web" if i % 2 else "Phone"} for i in range(45)]  # fmt: skip
    people[3]["DoNotCall"] = True
    view = ["00B1", "SELECT Name FROM Contact WHERE LeadSource = 'Web' ORDER BY Name ASC"]
    ids = await seed(url, "records", {"object": "Contact", "records": people, "list_view": view, "batch": 10})
    members = await seed(
        url, "records", {"object": "Contact", "campaign_id": "701A", "records": [{"Phone": "+13125550100"}]}
    )
    saved: list[dict[str, Any]] = []

    async def save(secrets: dict[str, Any]) -> None:
        saved.append(secrets)

    sf = Salesforce(await connect(url), login_url=url, oauth=OAUTH, save=save)
    try:
        assert await sf.check()
        everyone = await read(sf, {"where": "LastName = 'Lee'"})
        await post(f"{url}/_fake/expire")  # the session ends: refreshed once, then on
        web = await read(sf, {"list_view_id": "00B1"})
        campaign = await read(sf, {"campaign_id": "701A"})
        after_two = await read(sf, {}, cursor=None)
    finally:
        await sf.close()
    assert [r.id for r in everyone] == sorted(ids) and everyone[0].fields["Phone"] == "+12125550000"
    assert [r.id for r in everyone if r.opted_out] == [ids[3]]
    assert [r.id for r in web] == sorted(ids[1::2])
    assert [r.id for r in campaign] == members and len(after_two) == 46
    assert len(saved) == 1 and saved[0]["access_token"] != ""
    assert state.malformed == []


async def test_a_sync_resumes_from_next_records_url_and_stops_at_the_daily_limit(
    fake: tuple[str, SalesforceState],
) -> None:
    url, state = fake
    await post(
        f"{url}/_fake/records",
        {"object": "Lead", "records": [{"Phone": f"+1415555{i:04d}"} for i in range(25)], "batch": 10},
    )
    sf = Salesforce(await connect(url), login_url=url, oauth=OAUTH)
    try:
        pages = sf.pages(
            {"object": "Lead", "where": "DoNotCall = false"}, default_mapping("Lead"), cursor=None, since=None
        )
        first = await anext(pages)
        await pages.aclose()
        rest = await read(sf, {"object": "Lead"}, cursor=first.cursor)
        assert len(first.records) + len(rest) == 25
        since = datetime.now(UTC)
        assert await read(sf, {"object": "Lead", "where": "DoNotCall = false"}, since=since) == []
        state.daily_limit = state.used + 1
        with pytest.raises(CrmRefusedError, match="daily API calls"):
            await read(sf, {"object": "Lead", "where": "DoNotCall = false"})
    finally:
        await sf.close()
    assert state.malformed == []


async def test_write_backs_are_a_task_and_do_not_call(fake: tuple[str, SalesforceState]) -> None:
    url, state = fake
    [contact] = await seed(url, "records", {"object": "Contact", "records": [{"Phone": "+13125550100"}]})
    [lead] = await seed(url, "records", {"object": "Lead", "records": [{"Phone": "+13125550101"}]})
    sf = Salesforce(await connect(url), login_url=url, oauth=OAUTH)
    call = CallFacts(key="cmp:ct:0:1", outcome="answered_human", duration_s=75, at=datetime.now(UTC))
    task = await write_backs(sf, contact, lead, call, disposition="interested")
    stored = state.objects["Task"][task]
    assert (stored["WhoId"], stored["Status"], stored["CallDurationInSeconds"], stored["CallType"]) == (
        contact,
        "Completed",
        75,
        "Outbound",
    )
    assert stored["CallDisposition"] == "interested"
    assert state.objects["Lead"][lead]["DoNotCall"] is True
    assert state.malformed == []
