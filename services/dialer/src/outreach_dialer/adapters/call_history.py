"""The call history's order: each workspace numbers its calls 1, 2, 3 ... as they are recorded, and a page
of the history is a lookup by `_id` of the numbers below its cursor.

The MongoDB-wire server narrows a query only by `_id` (equality and `$in`); a sorted, filtered read of the
calls scans every shard collection, and a page asked all 128 of them. Here a call's number is an entry
`s|<workspace>|<number>` (with the filters that never change: campaign, contact, agent) beside a marker
`k|<key>`, so no call is entered twice (an adopted call, a batch retried after an error). Entries are written
in batches, one insert for the calls queued since the last one (every quarter second, and before a call's
final state if its entry is still waiting). A number is taken by a unique insert: of two instances that
write the same numbers, one gets a duplicate key, finds the last number by probing and writes after it, so
the numbers have no gaps and the last one is found in a few lookups.

A call whose entry was waiting when its instance stopped is entered again by the instance that adopts or
settles it. One case is left: a call queued within the last quarter second of an instance that stopped,
and cancelled by a campaign stop before anyone adopted it, is missing from the history (it was never
dialed)."""

from __future__ import annotations

import asyncio
from typing import Any

from outreach_common.mongo import Document
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

FIXED = ("campaign_id", "contact_id", "agent_id")  # what an entry answers: these never change for a call
DUPLICATE = 11000
SPREAD = 256  # numbers probed in one lookup when looking for the last one


def entry_id(workspace_id: str, number: int) -> str:
    """The entry of a workspace's `number`th call."""
    return f"s|{workspace_id}|{number:012d}"


def number_of(entry: Document) -> int:
    """The number of an entry."""
    return int(str(entry["_id"]).rsplit("|", 1)[1])


def _marker(key: str) -> str:
    return f"k|{key}"


class CallHistory:
    """Writes the entries of the calls this instance records, and reads them back a block at a time."""

    def __init__(self, collection: AsyncCollection[Document]) -> None:
        self.entries = collection
        self.last: dict[str, int] = {}  # per workspace: a number known to be taken (0: none known)
        self.pending: dict[str, Document] = {}  # by call key, in the order the calls were recorded
        self.unsure: set[str] = set()  # keys that may have an entry already
        self.lock = asyncio.Lock()

    def add(self, call: Document, *, maybe_entered: bool = False) -> None:
        """Enter a call with the next batch; `maybe_entered` for a call another instance recorded."""
        fields = {k: call.get(k) for k in FIXED}
        self.pending[call["_id"]] = {"key": call["_id"], "workspace_id": call["workspace_id"], **fields}
        if maybe_entered:
            self.unsure.add(call["_id"])

    def waiting(self, key: str) -> bool:
        """Whether this call's entry is not written yet."""
        return key in self.pending

    async def flush(self) -> None:
        """Write the waiting entries (one insert per workspace in the batch, more only after a collision)."""
        if not self.pending:
            return
        async with self.lock:
            batch, self.pending = self.pending, {}
            try:
                await self._write(list(batch.values()))
            except BaseException:
                self.pending = batch | self.pending  # entered again next time; a retry may find some written
                self.unsure |= set(batch)
                raise

    async def _write(self, batch: list[Document]) -> None:
        unsure = [_marker(e["key"]) for e in batch if e["key"] in self.unsure]
        if unsure:
            entered = {d["_id"][2:] async for d in self.entries.find({"_id": {"$in": unsure}}, {"_id": 1})}
            batch = [e for e in batch if e["key"] not in entered]
        by_workspace: dict[str, list[Document]] = {}
        for entry in batch:
            by_workspace.setdefault(entry["workspace_id"], []).append(entry)
        for workspace_id, entries in by_workspace.items():
            await self._append(workspace_id, entries)
        self.unsure -= {e["key"] for e in batch}

    async def _append(self, workspace_id: str, entries: list[Document]) -> None:
        """Write `entries` after the workspace's last number: marker, entry, marker, entry ... in order, so an
        error stops the insert where it happened. A taken marker drops its entry (the call has one); a taken
        number sends the rest after the last number."""
        marked: set[str] = set()
        while entries:
            start = self.last.get(workspace_id, 0) + 1
            docs: list[tuple[Document, Document]] = []
            for i, entry in enumerate(entries):
                if entry["key"] not in marked:
                    docs.append(({"_id": _marker(entry["key"])}, entry))
                docs.append(({"_id": entry_id(workspace_id, start + i), **entry}, entry))
            try:
                await self.entries.insert_many([d for d, _ in docs], ordered=True)
            except BulkWriteError as exc:
                done = exc.details.get("nInserted", 0)
                error = exc.details["writeErrors"][0]
                if error.get("code") != DUPLICATE:
                    raise
                written = [d for d, _ in docs[:done] if d["_id"].startswith("s|")]
                marked |= {d["_id"][2:] for d, _ in docs[:done] if d["_id"].startswith("k|")}
                self.last[workspace_id] = start + len(written) - 1
                failed, entry = docs[done]
                entries = entries[len(written) :]
                if failed["_id"].startswith("k|"):  # entered before: not again
                    entries = [e for e in entries if e is not entry]
                else:  # another instance took this number: find the last one
                    await self.head(workspace_id)
                continue
            self.last[workspace_id] = start + len(entries) - 1
            return

    async def _taken(self, workspace_id: str, numbers: list[int]) -> set[int]:
        ids = [entry_id(workspace_id, n) for n in numbers]
        return {number_of(d) async for d in self.entries.find({"_id": {"$in": ids}}, {"_id": 1})}

    async def head(self, workspace_id: str) -> int:
        """The workspace's last number (0: no calls): numbers are taken without gaps, so from a number known
        to be taken, probe at doubling distances, then narrow the gap between the last taken and the first
        free probe, `SPREAD` numbers a lookup."""
        low = self.last.get(workspace_id, 0)
        probes = [low + 2**i for i in range(48)]
        taken = await self._taken(workspace_id, probes)
        if taken:
            low = max(taken)
            high = min(p for p in probes if p > low)
            while high - low > 1:
                step = max(1, (high - low) // SPREAD)
                points = list(range(low + step, high, step))
                taken = await self._taken(workspace_id, points)
                low = max(taken, default=low)
                high = min([p for p in points if p > low] + [high])
        self.last[workspace_id] = max(self.last.get(workspace_id, 0), low)
        return low

    async def block(self, workspace_id: str, fixed: dict[str, Any], *, top: int, size: int) -> list[Document]:
        """The entries numbered `top - size + 1` to `top` that match `fixed`, newest first."""
        ids = [entry_id(workspace_id, n) for n in range(top, max(top - size, 0), -1)]
        found = [d async for d in self.entries.find({"_id": {"$in": ids}, **fixed})]
        return sorted(found, key=number_of, reverse=True)
