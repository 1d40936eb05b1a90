"""In-memory fakes of the dialer's storage interfaces (`outreach_dialer.handlers.ports`) and of its call
provider, with the repositories' rules: one record per key, one claim per round, conditional updates."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from outreach_common.kafka import EventBus
from outreach_common.mongo import Document
from outreach_common.outbox import publish
from outreach_dialer.adapters.provider import CallRequest, CallState

from tests.unit.fakes.query import matches
from tests.unit.fakes.query import push as _push


class FakeCalls:
    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}
        self.claims: dict[str, Document] = {}
        self.dialers: dict[str, datetime] = {}

    def new_call_id(self, key: str) -> str:
        return f"call_000_{uuid.uuid4().hex[:16]}"

    async def enqueue(self, doc: Document) -> bool:
        if doc["_id"] in self.docs:
            return False
        self.docs[doc["_id"]] = {**doc}
        return True

    async def claim(self, key: str, fields: Document) -> bool:
        if key in self.claims:
            held = self.claims[key]
            return (held.get("owner"), held.get("call_id")) == (fields["owner"], fields["call_id"])
        self.claims[key] = {"_id": key, **fields}
        return True

    async def unclaim(self, key: str) -> None:
        self.claims.pop(key, None)

    async def heartbeat(self, owner: str, now: datetime) -> None:
        self.dialers[owner] = now

    async def owners(self) -> dict[str, datetime]:
        return dict(self.dialers)

    async def forget_owner(self, owner: str) -> None:
        self.dialers.pop(owner, None)

    async def stranded(self, *, owners: list[str]) -> list[Document]:
        found = [{**d} for d in self.docs.values() if d["status"] == "queued" and d.get("owner") in owners]
        return [d for d in found if d["_id"] not in self.claims and d.get("command")]

    async def dialing_by(self, *, owners: list[str]) -> list[Document]:
        found = []
        for key, claim in self.claims.items():
            doc = self.docs.get(key)
            if "call_id" in claim and claim["owner"] in owners and doc is not None and not doc.get("outcome"):
                found.append({**doc, "status": "dialing", "dialer": claim["owner"], "dialing_at": claim["at"],
                              **{k: claim[k] for k in ("from_number", "dialing_wall")}})  # fmt: skip
        return found

    async def adopt(self, doc: Document, *, owner: str, now: datetime) -> bool:
        key = f"{doc['_id']}#{doc.get('round', 0)}#adopted"
        if self.claims.get(key, {"owner": owner})["owner"] != owner:
            return False
        self.claims[key] = {"owner": owner}
        stored = self.docs[doc["_id"]]
        stored.update(owner=owner, adopted_at=now, round=stored.get("round", 0) + 1)
        doc.update(round=doc.get("round", 0) + 1, owner=owner)
        return True

    async def take_over(self, doc: Document, *, owner: str, now: datetime, alive: set[str]) -> bool:
        stopped = doc["dialer"]
        while (taker := self.claims.get(f"{doc['_id']}#settle#{stopped}", {}).get("owner")) is not None:
            if taker == owner:
                break
            if taker in alive:
                return False
            stopped = taker
        self.claims[f"{doc['_id']}#settle#{stopped}"] = {"owner": owner}
        self.claims[doc["_id"]]["owner"] = owner
        return True

    async def requeue(self, key: str, reason: str) -> None:
        doc = self.docs[key]
        doc.update(status="queued", waiting=reason)

    async def update(
        self, key: str, *, expect: dict[str, Any], changes: Document, push: dict[str, Any] | None = None
    ) -> Document | None:
        doc = self.docs.get(key)
        if doc is None or not matches(doc, expect):
            return None
        doc.update(changes)
        _push(doc, push or {})
        return doc

    async def by_key(self, key: str) -> Document | None:
        return self.docs.get(key)

    async def by_id(self, call_id: str) -> Document | None:
        doc = next((d for d in self.docs.values() if d.get("call_id") == call_id), None)
        claim = self.claims.get(doc["_id"]) if doc else None
        if doc is not None and claim and doc["status"] == "queued":
            return {**doc, "status": "dialing", "dialer": claim["owner"], "from_number": claim["from_number"]}
        return doc

    async def cancel_queued(self, campaign_id: str) -> int:
        return self._cancel({"campaign_id": campaign_id, "status": "queued"}, {})

    async def cancel_keys(self, keys: list[str], *, reason: str) -> int:
        return self._cancel({"_id": {"$in": keys}, "status": "queued"}, {"reason": reason})

    async def history(
        self, workspace_id: str, filters: dict[str, str], *, before: int | None, limit: int
    ) -> tuple[list[Document], int | None]:
        numbered = [d for d in self.docs.values() if d["workspace_id"] == workspace_id]  # in the order recorded
        below = len(numbered) + 1 if before is None else before
        found = [(n, d) for n, d in enumerate(numbered, 1) if n < below and matches(d, filters)][::-1][:limit]
        return [d for _, d in found], (found[-1][0] if len(found) == limit else None)

    async def outbox_of(self, key: str) -> list[Document]:
        return list((self.docs.get(key) or {}).get("outbox") or [])

    async def relay(self, key: str, entries: list[Document], bus: EventBus) -> None:
        await publish(entries, bus)
        self.docs[key]["outbox"] = [e for e in self.docs[key].get("outbox", []) if e not in entries]

    def _cancel(self, query: Document, extra: Document) -> int:
        found = [d for d in self.docs.values() if matches(d, query)]
        for doc in found:
            doc.update(status="canceled", outcome="canceled", **extra)
        return len(found)


class FakeNumbers:
    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}

    async def empty(self, workspace_id: str, max_age_s: float = 5.0) -> bool:
        return not any(d.get("workspace_id") == workspace_id for d in self.docs.values())

    async def upsert(self, doc: Document) -> bool:
        new = doc["_id"] not in self.docs
        kept = {k: self.docs.get(doc["_id"], {}).get(k, v) for k, v in (("uses", []), ("last_used_at", None),
                                                                        ("stats", {}))}  # fmt: skip
        self.docs[doc["_id"]] = {**doc, **kept}
        return new

    async def all(self, query: Document | None = None) -> list[Document]:
        return [d for _, d in sorted(self.docs.items()) if matches(d, query or {})]

    async def get(self, number: str) -> Document | None:
        return self.docs.get(number)

    async def delete(self, number: str) -> bool:
        return self.docs.pop(number, None) is not None

    async def take(
        self, number: str, *, last_used_at: datetime | None, uses: list[datetime], now: datetime, exclusive: bool = True
    ) -> bool:
        doc = self.docs[number]
        if exclusive and doc.get("last_used_at") != last_used_at:
            return False
        doc.update(last_used_at=now, uses=[*uses, now])
        return True

    async def update(self, number: str, changes: Document, inc: dict[str, Any] | None = None) -> Document | None:
        doc = self.docs.get(number)
        if doc is None:
            return None
        for path, value in changes.items():
            _set(doc, path, value)
        for path, value in (inc or {}).items():
            _set(doc, path, _get(doc, path, 0) + value)
        return doc


def _get(doc: Document, path: str, default: Any) -> Any:
    for part in path.split("."):
        doc = doc.get(part, {}) if isinstance(doc, dict) else {}
    return doc if doc != {} else default


def _set(doc: Document, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    for part in parents:
        doc = doc.setdefault(part, {})
    doc[last] = value


class FakeAgents:
    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], Document] = {}

    async def cached(self, workspace_id: str, agent_id: str, max_age_s: float = 5.0) -> Document | None:
        return self.docs.get((workspace_id, agent_id))

    async def put(self, workspace_id: str, agent_id: str, fields: Document) -> None:
        self.docs[(workspace_id, agent_id)] = {"_id": agent_id, **fields}

    async def get(self, workspace_id: str, agent_id: str) -> Document | None:
        return self.docs.get((workspace_id, agent_id))

    async def all(self, workspace_id: str) -> list[Document]:
        return [d for (ws, _), d in self.docs.items() if ws == workspace_id]

    async def delete(self, workspace_id: str, agent_id: str) -> bool:
        return self.docs.pop((workspace_id, agent_id), None) is not None


class FakeLimits:
    """The shared pace answers now for every call (a unit test does not wait); slots are leased one at a time
    by `owner` and held as stored."""

    def __init__(self, shared: FakeLimits | None = None) -> None:
        self.slots: dict[str, Document] = shared.slots if shared else {}  # leases, shared by instances
        self.used: dict[str, float] = {}  # this instance's calls
        self.holds: dict[str, str] = shared.holds if shared else {}
        self.owner = "me"

    async def reserve_slot(self, account: str, rate: float, block: int = 0) -> float:
        return time.time()

    async def forget_slots(self, older_than: timedelta = timedelta(minutes=2)) -> None:
        return None

    async def acquire(self, key: str, limit: int) -> str | None:
        for i in range(limit):
            slot = f"{key}#{i}"
            lease = self.slots.get(slot)
            if slot not in self.used and (lease is None or lease["owner"] == self.owner):
                self.slots[slot] = {"_id": slot, "key": key, "owner": self.owner, "at": datetime.now(UTC)}
                self.used[slot] = time.monotonic()
                return slot
        return None

    async def release(self, slot: str) -> None:
        self.used.pop(slot, None)

    async def return_idle(self, idle_s: float = 5.0) -> int:
        idle = [s for s in self.slots if s not in self.used and self.slots[s]["owner"] == self.owner]
        for slot in idle:
            del self.slots[slot]
        return len(idle)

    async def reap_owners(self, live: list[str], *, older_than: timedelta) -> int:
        cutoff = datetime.now(UTC) - older_than
        stale = [s for s, d in self.slots.items() if d["owner"] not in live and d["at"] < cutoff]
        for slot in stale:
            del self.slots[slot]
            self.used.pop(slot, None)
        return len(stale)

    def overdue(self, *, older_than_s: float) -> list[str]:
        return [s for s, at in self.used.items() if time.monotonic() - at > older_than_s]

    async def in_flight(self, key: str) -> int:
        return sum(1 for s in self.used if s.rpartition("#")[0] == key)

    async def full(self, prefix: str, limits: dict[str, int]) -> set[str]:
        return {c for c, limit in limits.items() if await self.in_flight(prefix + c) >= limit}

    async def held_campaigns(self, max_age_s: float = 0.5) -> list[str]:
        return list(self.holds)

    async def hold(self, campaign_id: str, status: str) -> None:
        self.holds[campaign_id] = status

    async def release_hold(self, campaign_id: str) -> None:
        if self.holds.get(campaign_id) == "paused":
            del self.holds[campaign_id]


class FakeProvider:
    """Calls asked for, in order; `states` answers `fetch_call` by provider id."""

    def __init__(self) -> None:
        self.requests: list[CallRequest] = []
        self.states: dict[str, CallState] = {}
        self.fail_next: Exception | None = None

    async def create_call(self, request: CallRequest) -> str:
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc
        self.requests.append(request)
        return f"CA{len(self.requests):032d}"

    async def fetch_call(self, sid: str) -> CallState:
        return self.states[sid]

    async def find_call(self, *, to: str, from_: str, after: datetime) -> str | None:
        found = [i for i, r in enumerate(self.requests, 1) if (r.to, r.from_) == (to, from_)]
        return f"CA{found[0]:032d}" if found else None
