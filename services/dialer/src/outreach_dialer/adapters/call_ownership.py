"""Who dials a call and who settles what a stopped instance left: claims (unique inserts, the one
arbitration the MongoDB-wire server makes atomic between connections) and instance heartbeats."""

from __future__ import annotations

from datetime import UTC, datetime

from outreach_common.mongo import Document
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from outreach_dialer.adapters.call_history import CallHistory


class CallOwnership:
    """Claims and heartbeats of the dialer instances (a part of `CallStore`)."""

    claims: AsyncCollection[Document]
    dialers: AsyncCollection[Document]
    log: CallHistory

    def collection(self, key: str) -> AsyncCollection[Document]:
        raise NotImplementedError

    async def claim(self, key: str, fields: Document) -> bool:
        """Claim a call for dialing, right before the provider is asked: an insert under the call's key, so of
        several instances that hold the same call (an adopted one) exactly one dials it, once. The claim is
        the call's `dialing` record (instance, caller id, when) until its final state is written. A claim of
        this same instance is won (its insert went through and the answer was lost, say in a database
        restart, and the call went back to the queue before the provider was asked)."""
        try:
            await self.claims.insert_one({"_id": key, **fields})
        except DuplicateKeyError:
            held = await self.claims.find_one({"_id": key}, {"owner": 1, "call_id": 1})
            return bool(held and (held.get("owner"), held.get("call_id")) == (fields["owner"], fields["call_id"]))
        return True

    async def unclaim(self, key: str) -> None:
        """Withdraw a claim whose call the provider surely did not take (it was unavailable)."""
        await self.claims.delete_one({"_id": key})

    async def heartbeat(self, owner: str, now: datetime) -> None:
        """This instance is alive."""
        await self.dialers.update_one({"_id": owner}, {"$set": {"seen": now}}, upsert=True)

    async def owners(self) -> dict[str, datetime]:
        """Every instance's last heartbeat."""
        return {d["_id"]: d["seen"].replace(tzinfo=UTC) async for d in self.dialers.find({})}

    async def forget_owner(self, owner: str) -> None:
        """A stopped instance whose calls were all adopted: its heartbeat record goes."""
        await self.dialers.delete_one({"_id": owner})

    async def adopt(self, doc: Document, *, owner: str, now: datetime) -> bool:
        """Take over a stranded call: one adopter wins (an insert), and the call moves to a new round and
        owner, so the stopped instance's claim of the old round cannot collide with the new one. An adoption
        of this same instance is won again (its insert went through and the call's update did not, say in a
        database restart: the call would otherwise stay stranded for good)."""
        claim = {"_id": f"{doc['_id']}#{doc.get('round', 0)}#adopted", "owner": owner, "at": now}
        try:
            await self.claims.insert_one(claim)
        except DuplicateKeyError:
            held = await self.claims.find_one({"_id": claim["_id"]}, {"owner": 1})
            if not held or held.get("owner") != owner:
                return False
        await self.collection(doc["_id"]).update_one(
            {"_id": doc["_id"]}, {"$set": {"owner": owner, "adopted_at": now}, "$inc": {"round": 1}}
        )
        doc["round"] = doc.get("round", 0) + 1
        doc["owner"] = owner
        self.log.add(doc, maybe_entered=True)  # the stopped instance may not have written its entry
        return True

    async def take_over(self, doc: Document, *, owner: str, now: datetime, alive: set[str]) -> bool:
        """Take over the claim of a call a stopped instance (`doc["dialer"]`) was dialing, to settle it: of
        several instances one wins (an insert per stopped claimant), and the claim names the winner, so if it
        stops too, the next one settles the call. A winner that stopped before renaming the claim (or after)
        is followed along: whoever took over from a stopped instance and is not `alive` is stopped too."""
        stopped = doc["dialer"]
        for _ in range(20):
            settle = f"{doc['_id']}#settle#{stopped}"
            try:
                await self.claims.insert_one({"_id": settle, "owner": owner, "at": now})
                break
            except DuplicateKeyError:
                taker = ((await self.claims.find_one({"_id": settle}, {"owner": 1})) or {}).get("owner")
                if taker == owner:
                    break  # this instance won before (its renaming of the claim may not have happened)
                if taker is None or taker in alive:
                    return False  # another live instance settles it
                stopped = taker
        else:
            return False
        await self.claims.update_one({"_id": doc["_id"]}, {"$set": {"owner": owner}})
        self.log.add(doc, maybe_entered=True)
        return True
