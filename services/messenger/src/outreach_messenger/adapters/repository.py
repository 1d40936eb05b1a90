"""The message log (one document per command idempotency key) and campaign holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach_common.cursors import page_after
from outreach_common.kafka import EventBus
from outreach_common.mongo import Document, IndexSpec, first_to
from outreach_common.outbox import relay
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

INDEXES = [
    IndexSpec("messages", [("provider_id", 1)], name="by_provider_id"),
    IndexSpec("messages", [("outbox.at", 1)], name="outbox"),
    IndexSpec("messages", [("campaign_id", 1), ("status", 1)], name="by_campaign"),
    IndexSpec("messages", [("unsubscribe_token", 1)], name="by_unsubscribe_token"),
    IndexSpec("messages", [("status", 1), ("lease_until", 1)], name="by_lease"),
    IndexSpec("suppressions", [("workspace_id", 1), ("phone", 1)], name="by_phone"),
    IndexSpec("suppressions", [("workspace_id", 1), ("email", 1)], name="by_email"),
]


class MessageRepository:
    """Messages with their status trail."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.collection = db["messages"]
        self.holds = db["campaign_holds"]
        self.suppressions = db["suppressions"]
        self.inbound = db["inbound"]
        self.owners = db["number_owners"]
        self.takeovers = db["lease_takeovers"]

    async def record_inbound(self, sid: str, phone: str | None, body: str, verdict: str, at: datetime) -> bool:
        """Keep an inbound message once; False when Twilio delivered this one before."""
        try:
            await self.inbound.insert_one(
                {"_id": sid or f"{phone}:{at.isoformat()}", "from": phone, "body": body, "verdict": verdict, "at": at}
            )
        except DuplicateKeyError:
            return False
        return True

    async def claim(self, doc: Document) -> bool:
        """Record a command before sending; False when its key was seen (never send twice)."""
        try:
            await self.collection.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def update(self, key: str, changes: Document, push: dict[str, Any] | None = None) -> Document | None:
        """Update one message."""
        update: dict[str, Any] = {"$set": changes} if changes else {}
        if push:
            update["$push"] = push
        return await self.collection.find_one_and_update({"_id": key}, update, return_document=ReturnDocument.AFTER)

    async def record_status(
        self, provider_id: str, entry: Document, *, final: bool, key: str | None = None
    ) -> tuple[Document | None, bool]:
        """Append a status callback to its message's trail; a final status is kept once (the first wins).
        The message as it was before (None when nothing changed), and whether a message has that id. With
        the message's `key` (the callback URL carries it) the message is found by `_id`; without, by a
        scan for its provider id."""
        found: Document = {"_id": key, "provider_id": provider_id} if key else {"provider_id": provider_id}
        query: Document = {**found, **({"final_status": None} if final else {})}
        update: Document = {"$push": {"trail": entry}, **({"$set": {"final_status": entry["status"]}} if final else {})}
        # race: two final callbacks of one message at once may both match (MessageDelivery twice, which its
        # consumers count by message key); not arbitrated by an insert a killed messenger could strand
        doc = await self.collection.find_one_and_update(query, update)
        return doc, doc is not None or await self.collection.find_one(found, {"_id": 1}) is not None

    async def relay(self, key: str, entries: list[Document], bus: EventBus) -> None:
        """Publish a message's new outbox entries and clear them."""
        await relay(self.collection, key, entries, bus)

    async def take_expired(self, status: str, now: datetime, until: datetime) -> Document | None:
        """One message left in `status` past its lease, its lease renewed to `until`; of two sweepers that
        took the same lapsed lease, the first to record the takeover (a unique insert) has it."""
        # race: arbitrated below by the takeover insert of this lapsed lease
        before = await self.collection.find_one_and_update(
            {"status": status, "lease_until": {"$lt": now}}, {"$set": {"lease_until": until}}
        )
        if before is None:
            return None
        lapsed = before["lease_until"].isoformat()
        if not await first_to(self.takeovers, f"{before['_id']}#{lapsed}", at=now):
            return None
        return {**before, "lease_until": until}

    async def hold_of(self, campaign_id: str) -> str | None:
        """`CampaignPaused` or `CampaignStopped` while the campaign is held, else None."""
        doc = await self.holds.find_one({"_id": campaign_id})
        return None if doc is None else str(doc["status"])

    async def hold(self, campaign_id: str, status: str) -> None:
        """Remember that a campaign is paused or stopped (`status`: the event's type)."""
        await self.holds.update_one({"_id": campaign_id}, {"$set": {"status": status}}, upsert=True)

    async def release_pause(self, campaign_id: str) -> None:
        """Forget a campaign's pause (a stop stays)."""
        # race: a resume and a stop at once leave the stop (a pause is only deleted while it is one)
        await self.holds.delete_one({"_id": campaign_id, "status": "CampaignPaused"})

    async def held(self, campaign_id: str) -> list[Document]:
        """Messages of a campaign waiting for it to resume."""
        return [d async for d in self.collection.find({"campaign_id": campaign_id, "status": "held"})]

    async def by_token(self, token: str) -> Document | None:
        """The email message an unsubscribe link belongs to."""
        return await self.collection.find_one({"unsubscribe_token": token})

    async def page(self, query: Document, *, after: tuple[datetime, str] | None, limit: int) -> list[Document]:
        """Messages matching `query`, newest first (creation time, then key); `after` is the (creation time,
        key) of the last message of the previous page."""
        query = {**query, **page_after("created_at", after)}
        cursor = self.collection.find(query, {"outbox": 0, "command": 0}).sort([("created_at", -1), ("_id", -1)])
        return [d async for d in cursor.limit(limit)]

    async def workspaces_of_number(self, number: str) -> list[str]:
        """The workspaces that own `number` (registered in the dialer) or sent from it: an inbound reply to
        it belongs to each of them."""
        owners = {d["workspace_id"] async for d in self.owners.find({"number": number}, {"workspace_id": 1})}
        senders = await self.collection.distinct("workspace_id", {"from": number})
        return sorted(owners | set(senders))

    async def own_number(self, workspace_id: str, number: str, *, owned: bool, details: Document | None = None) -> None:
        """Remember (or forget) that a workspace owns a number, with its tags, capabilities, status and caps."""
        key = {"_id": f"{number}|{workspace_id}"}
        if owned:
            fields = {"number": number, "workspace_id": workspace_id, **(details or {})}
            # race: one writer per number and workspace (the dialer's registry events, in order per number)
            await self.owners.update_one(key, {"$set": fields}, upsert=True)
        else:
            await self.owners.delete_one(key)

    async def senders(self, workspace_id: str, *, numbers: list[str], tags: list[str]) -> list[Document]:
        """The workspace's active SMS numbers among `numbers`, or carrying one of `tags`."""
        query: Document = {"workspace_id": workspace_id, "status": {"$ne": "disabled"}}
        if numbers:
            query["number"] = {"$in": numbers}
        else:
            query["tags"] = {"$in": tags}
        return [d async for d in self.owners.find(query) if "sms" in d.get("capabilities", ["sms"])]

    async def used(self, workspace_id: str, number: str, at: datetime, *, keep: int = 500) -> None:
        """A send from `number` (its caps count these)."""
        await self.owners.update_one(
            {"_id": f"{number}|{workspace_id}"},
            {"$set": {"last_used_at": at}, "$push": {"uses": {"$each": [at], "$slice": -keep}}},
        )

    async def is_suppressed(self, workspace_id: str, phone: str | None, email: str | None) -> bool:
        """True when the phone or email opted out in this workspace."""
        # Each opt-out is one document keyed by its workspace and one phone or one address (`suppress`): read
        # by key, never a scan of the list.
        for value in (phone, email):
            if value and await self.suppressions.find_one({"_id": f"{workspace_id}:{value}"}, {"_id": 1}):
                return True
        return False

    async def suppress(self, workspace_id: str, *, phone: str | None, email: str | None) -> None:
        """Add an opt-out."""
        key = f"{workspace_id}:{phone or email}"
        await self.suppressions.update_one(
            {"_id": key}, {"$set": {"workspace_id": workspace_id, "phone": phone, "email": email}}, upsert=True
        )

    async def unsuppress(self, workspace_id: str, *, phone: str) -> None:
        """Remove an opt-out (START / UNSTOP)."""
        await self.suppressions.delete_one({"_id": f"{workspace_id}:{phone}"})
