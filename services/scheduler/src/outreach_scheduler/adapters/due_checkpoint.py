"""A compact checkpoint of the due index and the roster, plus a journal of what changed since, so a
restarted scheduler is ready to dispatch in seconds instead of reading every enrollment (139 s for a
million on the MongoDB-wire server, which scans the whole collection for any query not by `_id`).

The checkpoint is packed arrays per campaign (ids as fixed-width bytes, states as one byte, due instants as
float64), compressed, in parts of at most `PART` entries; a head document names the parts of the newest one
and is written last, so a crash while writing leaves the previous checkpoint whole. Every change the index
and roster learn (a step queued, a state noted) is also kept in memory and written to the journal once a
second, one insert; a restart loads the checkpoint, then replays the journal from a little before it.
Both are hints like the index itself: the dispatcher re-reads each enrollment by `_id` before acting, and
the periodic full reload repairs anything a crash lost in its last second."""

from __future__ import annotations

import itertools
import json
import time
import uuid
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from bson import Binary
from outreach_common.mongo import Document
from pymongo.asynchronous.database import AsyncDatabase

from outreach_scheduler.adapters.due_index import DueIndex
from outreach_scheduler.adapters.roster import Roster

PART = 100_000  # entries per checkpoint document (what one part holds in memory while it is written)
OVERLAP = timedelta(seconds=5)  # journal entries this long before a checkpoint are replayed too (clock skew)


def _pack(array: np.ndarray[Any, Any]) -> Binary:
    return Binary(zlib.compress(np.ascontiguousarray(array).data, 1))  # (no copy of a contiguous array)


def _unpack(data: bytes, dtype: str) -> np.ndarray[Any, Any]:
    return np.frombuffer(zlib.decompress(data), dtype=dtype)


class DueCheckpoint:
    """Writes and restores checkpoints of an index and a roster, and keeps their journal."""

    def __init__(self, db: AsyncDatabase[Document], index: DueIndex, roster: Roster) -> None:
        self.parts = db["due_checkpoint"]
        self.journal = db["due_journal"]
        self.index, self.roster = index, roster
        self.instance = uuid.uuid4().hex[:8]
        self._seq = 0
        self._changes: list[list[Any]] = []
        index.journal = roster.journal = self._changes

    async def flush(self) -> int:
        """Write the changes noted since the last flush as one journal entry; how many."""
        if not self._changes:
            return 0
        changes = list(self._changes)
        self._changes.clear()
        self._seq += 1
        doc = {"_id": f"{self.instance}:{self._seq}", "at": datetime.now(UTC),
               "changes": Binary(zlib.compress(json.dumps(changes).encode(), 1))}  # fmt: skip
        try:
            await self.journal.insert_one(doc)
        except BaseException:
            self._changes[:0] = changes  # written with the next flush
            self._seq -= 1
            raise
        return len(changes)

    async def save(self) -> int:
        """Write a checkpoint of what the index and roster hold now; how many entries. It is packed and
        written a part at a time (changes made meanwhile are in the journal, which is replayed from a little
        before the checkpoint's time), the head last; the journal before it and the previous checkpoint's
        parts are deleted."""
        await self.flush()
        at = datetime.now(UTC)
        generation = uuid.uuid4().hex[:12]
        names: list[str] = []
        entries = 0
        for kind, campaign_id, ids, values in itertools.chain(self.index.snapshot(PART), self.roster.snapshot(PART)):
            name = f"{generation}:{len(names)}"
            await self.parts.insert_one({"_id": name, "kind": kind, "campaign_id": campaign_id,
                                         "width": ids.dtype.itemsize, "ids": _pack(ids), "values": _pack(values),
                                         "dtype": values.dtype.str})  # fmt: skip
            names.append(name)
            entries += len(ids)
        old = await self.parts.find_one({"_id": "head"})
        await self.parts.replace_one({"_id": "head"}, {"at": at, "parts": names}, upsert=True)
        if old:
            await self.parts.delete_many({"_id": {"$in": old["parts"]}})
        stale = [d["_id"] async for d in self.journal.find({}, {"at": 1}) if d["at"].replace(tzinfo=UTC) < at - OVERLAP]
        if stale:
            await self.journal.delete_many({"_id": {"$in": stale}})
        return entries

    async def restore(self) -> bool:
        """Load the newest checkpoint and replay the journal since; False when there is none."""
        started = time.monotonic()
        head = await self.parts.find_one({"_id": "head"})
        if head is None:
            return False
        at = head["at"].replace(tzinfo=UTC)
        self.index.begin_reload()
        self.roster.begin_reload()
        for name in head["parts"]:
            part = await self.parts.find_one({"_id": name})
            if part is None:
                raise RuntimeError(f"due checkpoint part {name} is missing")
            ids = _unpack(part["ids"], f"S{part['width']}")
            values = _unpack(part["values"], part["dtype"])
            if part["kind"] == "due":
                self.index.stage_packed(part["campaign_id"], ids, values)
            else:
                self.roster.stage_packed(part["campaign_id"], ids, values)
        replayed = 0
        async for entry in self.journal.find({}).sort("at", 1):
            if entry["at"].replace(tzinfo=UTC) >= at - OVERLAP:
                for change in json.loads(zlib.decompress(entry["changes"])):
                    self._replay(change)
                    replayed += 1
        self.roster.commit_reload()
        self.index.commit_reload()
        self._changes.clear()  # what the replay noted is in the journal already
        self.restored_in_s = time.monotonic() - started
        return True

    def _replay(self, change: list[Any]) -> None:
        kind, campaign_id, contact_id, value = change
        if kind == "d":
            self.index.add(campaign_id, contact_id, datetime.fromtimestamp(value, UTC))
        else:
            self.roster.note_code(campaign_id, contact_id, value)
