"""CRM sync handlers on in-memory fakes (store, connector, import stores, bus): a sync writes the CRM's
pages, sends the records the CRM marks not to contact to the do-not-call list, imports the rest and
reports; a refused connection is marked broken; one sync per feed at a time; crashed syncs are taken up
again and scheduled feeds start when their time has come; OAuth codes and monday.com webhooks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from outreach_common.clock import VirtualClock
from outreach_contracts.topics import Topics
from outreach_ingest.adapters.crm.http import CrmConnectionError
from outreach_ingest.adapters.crm.monday import Monday
from outreach_ingest.domain.crm import CrmRecord, Page
from outreach_ingest.handlers import crm_oauth
from outreach_ingest.handlers.crm_schedule import resume_syncs, sync_scheduled
from outreach_ingest.handlers.crm_sync import start_sync
from outreach_ingest.handlers.crm_watch import watch_board
from outreach_ingest.handlers.dnc import DncDeps
from outreach_ingest.handlers.import_deps import Deps

from tests.unit.fakes.bus import FakeBus
from tests.unit.fakes.crm import FakeConnector, FakeCrmDeps, FakeCrmStore, crm_deps
from tests.unit.fakes.ingest import FakeJobs, FakeLocks, FakePending, FakeStoredContacts, FakeSuppressions
from tests.waiting import eventually

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
FEED = {"_id": "feed_1", "workspace_id": "ws", "connection_id": "crm_1", "campaign_id": "cmp", "kind": "hubspot",
        "source": {"list_id": "7"}, "mapping": {"to_number": "phone", "first_name": "firstname"},
        "every_minutes": 0}  # fmt: skip


def synced(tmp_path: Path) -> tuple[FakeCrmDeps, FakeCrmStore, FakeConnector, FakeBus]:
    deps = crm_deps()
    bus, suppressions, clock = FakeBus(), FakeSuppressions(), VirtualClock(NOW)
    deps.imports = Deps(contacts=FakeStoredContacts(), imports=FakeJobs(), dnc=suppressions, locks=FakeLocks(),  # type: ignore[arg-type]
                        bus=bus, clock=clock, topics=Topics(), batch=2)  # fmt: skip
    deps.dnc = DncDeps(dnc=suppressions, bus=bus, clock=clock, topics=Topics(), pending=FakePending())  # type: ignore[arg-type]
    deps.upload_dir = tmp_path
    store = deps.store
    assert isinstance(store, FakeCrmStore)
    store.connections["crm_1"] = {"_id": "crm_1", "kind": "hubspot", "sealed": "", "status": "connected"}
    store.feeds["feed_1"] = {**FEED, "source": dict(FEED["source"]), "mapping": dict(FEED["mapping"])}
    return deps, store, deps.connector, bus


def record(n: int, phone: str, opted_out: str | None = None) -> CrmRecord:
    return CrmRecord(id=f"r{n}", fields={"phone": phone, "firstname": f"Name{n}"}, opted_out=opted_out)


async def finished(store: FakeCrmStore, sync_id: str) -> dict[str, Any]:
    async def done() -> dict[str, Any] | None:
        sync = store.syncs[sync_id]
        return sync if sync["status"] in ("completed", "failed") and "feed_1" not in store.running else None

    return await eventually(done, timeout=10, what=f"sync {sync_id} ended")


async def test_a_sync_imports_the_crms_records_and_lists_the_ones_not_to_contact(tmp_path: Path) -> None:
    deps, store, connector, bus = synced(tmp_path)
    connector.listing = [
        Page(records=[record(1, "(212) 555-0101"), record(2, "212 555 0102", opted_out="do_not_call is true")],
             cursor="p2", requests=1),
        Page(records=[record(3, "+1 212 555 0103"), record(4, "12345")], cursor=None, requests=1),
    ]  # fmt: skip
    sync = await start_sync(store.feeds["feed_1"], deps, full=True)
    assert sync is not None and sync["mode"] == "full"
    report = await finished(store, sync["_id"])
    assert report["status"] == "completed", report
    assert (report["fetched"], report["crm_suppressed"], report["requests"]) == (4, 1, 2)
    assert (report["imported"], report["invalid"]) == (2, 1)
    assert report["suppressed_records"] == [
        {"record_id": "r2", "status": "suppressed", "reason": "do_not_call is true"}
    ]
    imported = bus.of_type("ContactImported")
    assert sorted(e.contact.phone for e in imported) == ["+12125550101", "+12125550103"]
    assert {e.contact.fields["crm_record_id"] for e in imported} == {"r1", "r3"}
    opted = bus.of_type("ContactOptedOut")
    assert [e.phone for e in opted] == ["+12125550102"]  # on the do-not-call list, not imported
    assert sorted(link["record_id"] for link in store.links.values()) == ["r1", "r3"]  # for the write-back
    feed = store.feeds["feed_1"]
    assert feed["last_status"] == "completed" and feed["last_sync_id"] == sync["_id"]
    assert feed["synced_from"] == sync["started_at"] - timedelta(minutes=1)
    # the next sync is incremental: it asks for what changed since this one started
    since = feed["synced_from"]
    again = await start_sync(feed, deps, full=False)
    assert again is not None and again["mode"] == "incremental"
    await finished(store, again["_id"])
    assert connector.asked[-1]["since"] == since and connector.asked[-1]["cursor"] is None


async def test_a_refused_connection_is_marked_broken_and_the_sync_failed(tmp_path: Path) -> None:
    deps, store, connector, _ = synced(tmp_path)
    connector.fail = CrmConnectionError("HubSpot refused the token: it was revoked", status=401)
    sync = await start_sync(store.feeds["feed_1"], deps, full=True)
    assert sync is not None
    report = await finished(store, sync["_id"])
    assert report["status"] == "failed" and "revoked" in report["error"]
    assert store.connections["crm_1"]["status"] == "broken" and "revoked" in store.connections["crm_1"]["problem"]
    assert store.feeds["feed_1"]["last_status"] == "failed"


async def test_a_feed_runs_one_sync_at_a_time(tmp_path: Path) -> None:
    deps, store, _, _ = synced(tmp_path)
    store.running["feed_1"] = "sync_other"  # another replica's sync of this feed is running
    assert await start_sync(store.feeds["feed_1"], deps, full=True) is None
    assert store.syncs == {}


async def test_a_sync_a_crash_left_is_taken_up_after_it_went_idle(tmp_path: Path) -> None:
    deps, store, connector, _ = synced(tmp_path)
    connector.listing = [Page(records=[record(2, "212 555 0102")], cursor=None)]
    stale = {"_id": "sync_old", "feed_id": "feed_1", "workspace_id": "ws", "connection_id": "crm_1",
             "campaign_id": "cmp", "status": "fetching", "cursor": "p2", "bytes": 0, "since": None,
             "started_at": NOW - timedelta(minutes=10), "updated_at": NOW - timedelta(minutes=5)}  # fmt: skip
    fresh = {**stale, "_id": "sync_new", "feed_id": "feed_2", "updated_at": NOW - timedelta(seconds=5)}
    store.syncs = {"sync_old": dict(stale), "sync_new": dict(fresh)}
    store.running = {"feed_1": "sync_old", "feed_2": "sync_new"}
    assert await resume_syncs(deps, idle=timedelta(seconds=60)) == 1  # the fresh one is still someone's
    report = await finished(store, "sync_old")
    assert report["status"] == "completed" and report["imported"] == 1
    assert connector.asked[0]["cursor"] == "p2"  # from its last page on
    assert store.syncs["sync_new"]["status"] == "fetching"


async def test_scheduled_feeds_sync_when_their_time_has_come(tmp_path: Path) -> None:
    deps, store, _, _ = synced(tmp_path)
    clock = deps.imports.clock
    store.feeds["feed_1"].update(every_minutes=15, last_started_at=NOW - timedelta(minutes=20))
    store.feeds["feed_2"] = {
        **FEED,
        "_id": "feed_2",
        "every_minutes": 15,
        "last_started_at": NOW - timedelta(minutes=5),
    }
    store.feeds["feed_3"] = {**FEED, "_id": "feed_3", "every_minutes": 0}  # synced by hand only
    assert await sync_scheduled(deps) == 1
    assert [s["feed_id"] for s in store.syncs.values()] == ["feed_1"]
    assert store.feeds["feed_1"]["last_started_at"] == clock.now()
    await finished(store, next(iter(store.syncs)))
    assert await sync_scheduled(deps) == 0  # not again before its 15 minutes


async def test_an_authorization_code_is_exchanged_with_what_each_crm_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, dict[str, str], tuple[str, ...]]] = []

    async def token_request(url: str, form: dict[str, str], *, crm: str, keep: tuple[str, ...]) -> dict[str, Any]:
        asked.append((url, form, keep))
        return {"access_token": "at", "refresh_token": "rt"}

    monkeypatch.setattr(crm_oauth, "token_request", token_request)
    deps = crm_deps()
    deps.base_urls = {"hubspot": "http://hs", "gohighlevel": "http://ghl"}
    deps.oauth = {"hubspot": {"client_id": "id", "client_secret": "shh"}, "gohighlevel": {"client_id": "g"}}
    tokens = await crm_oauth.exchange_code("hubspot", "c1", deps, redirect_uri="http://back")
    assert tokens["webhook_secret"] == "shh"  # HubSpot signs its webhooks with the app's secret
    url, form, _ = asked[0]
    assert url.startswith("http://hs") and form["code"] == "c1" and form["grant_type"] == "authorization_code"
    assert (form["client_id"], form["redirect_uri"]) == ("id", "http://back")
    await crm_oauth.exchange_code("gohighlevel", "c2", deps, redirect_uri="http://back")
    _, form, keep = asked[1]
    assert form["user_type"] == "Location" and keep == ("locationId",)


class WatchedMonday(Monday):
    def __init__(self, fail: Exception | None) -> None:
        super().__init__({"access_token": "t"}, base_url="http://monday", opt_out_column=None)
        self.fail, self.watched = fail, []

    async def watch(self, board_id: str, url: str) -> list[str]:  # type: ignore[override]
        if self.fail:
            raise self.fail
        self.watched.append((board_id, url))
        return ["wh1", "wh2"]


async def test_a_monday_board_is_watched_by_webhooks_or_says_why_not() -> None:
    deps = crm_deps()
    feed = {"source": {"board_id": "777"}}
    bare = {"_id": "crm_m", "sealed": deps.box.seal({"access_token": "t"})}
    assert "no webhook key" in await watch_board(feed, bare, deps, "https://outreach.example")
    keyed = {**bare, "sealed": deps.box.seal({"access_token": "t", "webhook_key": "k1"})}
    monday = WatchedMonday(fail=None)
    deps.open = lambda connection: monday  # type: ignore[method-assign]
    assert await watch_board(feed, keyed, deps, "https://outreach.example") == "webhooks wh1, wh2 on board 777"
    assert monday.watched[0][0] == "777" and monday.watched[0][1].endswith("?key=k1")
    refused = WatchedMonday(fail=CrmConnectionError("monday.com refused the token"))
    deps.open = lambda connection: refused  # type: ignore[method-assign]
    said = await watch_board(feed, keyed, deps, "https://outreach.example")
    assert said.startswith("scheduled syncs only") and "refused the token" in said
