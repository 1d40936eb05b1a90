"""In-memory fakes of the messenger's storage interface (`outreach_messenger.handlers.ports.Messages`) and of
its SMS and email providers."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from typing import Any

from outreach_common.kafka import EventBus
from outreach_common.mongo import Document
from outreach_common.outbox import publish

from tests.unit.fakes.query import push as _push


class FakeMessages:
    def __init__(self) -> None:
        self.docs: dict[str, Document] = {}
        self.holds: dict[str, str] = {}
        self.suppressed: set[tuple[str, str]] = set()
        self.inbound: dict[str, Document] = {}
        self.owners: dict[str, Document] = {}

    async def record_inbound(self, sid: str, phone: str | None, body: str, verdict: str, at: datetime) -> bool:
        key = sid or f"{phone}:{at.isoformat()}"
        if key in self.inbound:
            return False
        self.inbound[key] = {"from": phone, "body": body, "verdict": verdict, "at": at}
        return True

    async def claim(self, doc: Document) -> bool:
        if doc["_id"] in self.docs:
            return False
        self.docs[doc["_id"]] = {**doc}
        return True

    async def update(self, key: str, changes: Document, push: dict[str, Any] | None = None) -> Document | None:
        doc = self.docs.get(key)
        if doc is None:
            return None
        doc.update(changes)
        _push(doc, push or {})
        return doc

    async def record_status(
        self, provider_id: str, entry: Document, *, final: bool, key: str | None = None
    ) -> tuple[Document | None, bool]:
        found = [d for d in self.docs.values() if d.get("provider_id") == provider_id and key in (None, d["_id"])]
        if not found:
            return None, False
        doc = found[0]
        if final and doc.get("final_status") is not None:
            return None, True
        before = {**doc, "trail": list(doc.get("trail", []))}
        doc.setdefault("trail", []).append(entry)
        if final:
            doc["final_status"] = entry["status"]
        return before, True

    async def relay(self, key: str, entries: list[Document], bus: EventBus) -> None:
        await publish(entries, bus)
        self.docs[key]["outbox"] = [e for e in self.docs[key].get("outbox", []) if e not in entries]

    async def take_expired(self, status: str, now: datetime, until: datetime) -> Document | None:
        for doc in self.docs.values():
            if doc["status"] == status and doc.get("lease_until") and doc["lease_until"] < now:
                doc["lease_until"] = until
                return doc
        return None

    async def hold_of(self, campaign_id: str) -> str | None:
        return self.holds.get(campaign_id)

    async def hold(self, campaign_id: str, status: str) -> None:
        self.holds[campaign_id] = status

    async def release_pause(self, campaign_id: str) -> None:
        if self.holds.get(campaign_id) == "CampaignPaused":
            del self.holds[campaign_id]

    async def held(self, campaign_id: str) -> list[Document]:
        return [d for d in self.docs.values() if d["campaign_id"] == campaign_id and d["status"] == "held"]

    async def by_token(self, token: str) -> Document | None:
        return next((d for d in self.docs.values() if d.get("unsubscribe_token") == token), None)

    async def page(self, query: Document, *, after: tuple[datetime, str] | None, limit: int) -> list[Document]:
        found = [d for d in self.docs.values() if all(d.get(k) == v for k, v in query.items())]
        found.sort(key=lambda d: (d["created_at"], d["_id"]), reverse=True)
        return [d for d in found if after is None or (d["created_at"], d["_id"]) < after][:limit]

    async def workspaces_of_number(self, number: str) -> list[str]:
        owners = {d["workspace_id"] for d in self.owners.values() if d["number"] == number}
        return sorted(owners | {d["workspace_id"] for d in self.docs.values() if d.get("from") == number})

    async def own_number(self, workspace_id: str, number: str, *, owned: bool, details: Document | None = None) -> None:
        key = f"{number}|{workspace_id}"
        if owned:
            self.owners[key] = {**self.owners.get(key, {}), "number": number, "workspace_id": workspace_id,
                                **(details or {})}  # fmt: skip
        else:
            self.owners.pop(key, None)

    async def senders(self, workspace_id: str, *, numbers: list[str], tags: list[str]) -> list[Document]:
        mine = [d for d in self.owners.values() if d["workspace_id"] == workspace_id and d.get("status") != "disabled"]
        chosen = [d for d in mine if (d["number"] in numbers if numbers else set(d.get("tags") or ()) & set(tags))]
        return [d for d in chosen if "sms" in d.get("capabilities", ["sms"])]

    async def used(self, workspace_id: str, number: str, at: datetime, *, keep: int = 500) -> None:
        doc = self.owners[f"{number}|{workspace_id}"]
        doc["last_used_at"] = at
        doc["uses"] = [*doc.get("uses", []), at][-keep:]

    async def is_suppressed(self, workspace_id: str, phone: str | None, email: str | None) -> bool:
        return any((workspace_id, v) in self.suppressed for v in (phone, email) if v)

    async def suppress(self, workspace_id: str, *, phone: str | None, email: str | None) -> None:
        self.suppressed.add((workspace_id, phone or email or ""))

    async def unsuppress(self, workspace_id: str, *, phone: str) -> None:
        self.suppressed.discard((workspace_id, phone))


class FakeSms:
    """Sends recorded; `refuse` (a SendError) is raised for every send while set."""

    def __init__(self) -> None:
        self.sent: list[dict[str, str]] = []
        self.refuse: Exception | None = None

    async def send_sms(self, *, to: str, from_: str, body: str, status_callback: str) -> str:
        if self.refuse is not None:
            raise self.refuse
        self.sent.append({"to": to, "from": from_, "body": body})
        return f"SM{len(self.sent):032d}"


class FakeEmail:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send_email(self, message: EmailMessage) -> str:
        self.sent.append(message)
        return f"<{len(self.sent)}@fake>"
