"""In-memory fakes of ingest's CRM store and of a CRM connector, for unit tests of the CRM handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from outreach_ingest.adapters.crm.secrets import TokenBox
from outreach_ingest.domain.crm import CallFacts, Page
from outreach_ingest.handlers.crm_deps import Connector, CrmDeps


class FakeCrmStore:
    """The parts of `CrmStore` the syncs and the write-back read and write."""

    def __init__(self) -> None:
        self.connections: dict[str, dict[str, Any]] = {}
        self.links: dict[str, dict[str, Any]] = {}
        self.phones: dict[str, list[dict[str, str]]] = {}
        self.ledger: dict[str, dict[str, Any]] = {}
        self.feeds: dict[str, dict[str, Any]] = {}
        self.syncs: dict[str, dict[str, Any]] = {}
        self.running: dict[str, str] = {}  # feed id -> its running sync

    async def feed(self, feed_id: str, workspace_id: str | None = None) -> dict[str, Any] | None:
        return self.feeds.get(feed_id)

    async def scheduled_feeds(self) -> list[dict[str, Any]]:
        return [f for f in self.feeds.values() if f.get("every_minutes", 0) > 0]

    async def update_feed(self, feed_id: str, fields: dict[str, Any]) -> None:
        self.feeds[feed_id].update(fields)

    async def add_sync(self, doc: dict[str, Any]) -> bool:
        if doc["feed_id"] in self.running:
            return False
        self.running[doc["feed_id"]] = doc["_id"]
        self.syncs[doc["_id"]] = dict(doc)
        return True

    async def finish_sync(self, feed_id: str) -> None:
        self.running.pop(feed_id, None)

    async def unfinished_syncs(self) -> list[dict[str, Any]]:
        return [dict(s) for s in self.syncs.values() if s["status"] in ("fetching", "importing")]

    async def update_sync(
        self, sync_id: str, fields: dict[str, Any], *, push: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        sync = self.syncs[sync_id]
        sync.update(fields)
        for name, items in (push or {}).items():
            sync.setdefault(name, []).extend(items)
        return dict(sync)

    async def link(self, links: list[dict[str, Any]]) -> None:
        for link in links:
            self.links[link["_id"]] = link

    async def connection(self, connection_id: str, workspace_id: str | None = None) -> dict[str, Any] | None:
        return self.connections.get(connection_id)

    async def update_connection(self, connection_id: str, fields: dict[str, Any]) -> None:
        self.connections[connection_id].update(fields)

    async def link_of(self, contact_id: str) -> dict[str, Any] | None:
        return self.links.get(contact_id)

    async def records_of_phone(self, workspace_id: str, phone: str) -> list[dict[str, str]]:
        return list(self.phones.get(f"{workspace_id}|{phone}", []))

    async def writeback(self, key: str) -> dict[str, Any] | None:
        return self.ledger.get(key)

    async def note_writeback(self, key: str, fields: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
        entry = self.ledger.setdefault(key, {"_id": key})
        entry.update(fields)
        if event_id and event_id not in entry.setdefault("events", []):
            entry["events"].append(event_id)
        return dict(entry)


class FakeConnector:
    """A CRM that records what it is asked; `fail` makes the next call raise it."""

    kind = "fake"

    def __init__(self) -> None:
        self.calls: dict[str, dict[str, Any]] = {}
        self.opted_out: list[str] = []
        self.fail: Exception | None = None
        self.listing: list[Page] = [Page(records=[], cursor=None)]  # what `pages` yields
        self.asked: list[dict[str, Any]] = []  # each listing asked for: its cursor and `since`

    def _maybe_fail(self) -> None:
        if self.fail is not None:
            failure, self.fail = self.fail, None
            raise failure

    async def check(self) -> str:
        return "ok"

    def properties(self, mapping: dict[str, str]) -> list[str]:
        return sorted(mapping.values())

    async def pages(
        self, source: dict[str, str], mapping: dict[str, str], *, cursor: str | None, since: datetime | None
    ) -> AsyncIterator[Page]:
        self.asked.append({"source": source, "cursor": cursor, "since": since})
        self._maybe_fail()
        for page in self.listing:
            yield page

    async def log_call(self, record_id: str, call: CallFacts) -> str:
        self._maybe_fail()
        crm_id = f"call{len(self.calls) + 1}"
        self.calls[crm_id] = {"record": record_id, "title": call.title(), "body": call.body()}
        return crm_id

    async def update_call(self, record_id: str, crm_id: str, call: CallFacts) -> None:
        self._maybe_fail()
        self.calls[crm_id]["body"] = call.body()

    async def find_call(self, record_id: str, call: CallFacts) -> str | None:
        return next((k for k, v in self.calls.items() if v["title"] == call.title()), None)

    async def mark_opted_out(self, record_id: str) -> None:
        self._maybe_fail()
        self.opted_out.append(record_id)

    async def close(self) -> None:
        return None


class FakeCrmDeps(CrmDeps):
    """`CrmDeps` whose every connection opens the same fake connector."""

    connector: FakeConnector

    def open(self, connection: dict[str, Any]) -> Connector:
        return self.connector


def crm_deps() -> FakeCrmDeps:
    deps = FakeCrmDeps(
        store=FakeCrmStore(),  # type: ignore[arg-type]
        box=TokenBox([TokenBox.new_key()]),
        imports=None,  # type: ignore[arg-type]
        dnc=None,  # type: ignore[arg-type]
        upload_dir=None,  # type: ignore[arg-type]
        base_urls={},
    )
    deps.connector = FakeConnector()
    return deps
