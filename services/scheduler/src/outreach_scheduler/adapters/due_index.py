"""The durable timer's in-memory index: queued enrollments by due instant, one queue per campaign.

The database holds the truth (each enrollment's state, due instant and version); this index only says which
enrollments to look at next, so it may hold stale or repeated entries: the dispatcher re-reads what it pops
and puts back what is not ready. One queue per campaign lets a paused campaign's steps wait untouched while
the active campaigns' steps are popped earliest first (ties: campaign id, then contact id).

A campaign's queue is what the last reload read, packed (due instants as float64 and contact ids as
fixed-width bytes, sorted, read from a position on: about 20 bytes an entry), and a heap of what was added
since (a Python tuple and string each, about 150 bytes): a million queued enrollments take about 20 MB.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from outreach_scheduler.adapters.packing import Ids, joined, made

Dues = npt.NDArray[np.float64]
PACK_AT = 10_000  # entries read one by one, packed this many at a time


def _packed(entries: list[tuple[float, str]]) -> tuple[Ids, Dues]:
    """(due, contact id) pairs as arrays, in their order."""
    width = max((len(c.encode()) for _, c in entries), default=1)
    ids = np.fromiter((c.encode() for _, c in entries), dtype=f"S{width}", count=len(entries))
    return ids, np.fromiter((due for due, _ in entries), dtype=np.float64, count=len(entries))


class _Queue:
    """One campaign's entries: the packed run from `at` on, and the heap of those added since."""

    def __init__(self) -> None:
        self.ids: Ids = np.empty(0, dtype="S1")
        self.dues: Dues = np.empty(0, dtype=np.float64)
        self.at = 0
        self.heap: list[tuple[float, str]] = []
        self._staged: list[tuple[Ids, Dues]] = []
        self._pending: list[tuple[float, str]] = []

    def __len__(self) -> int:
        return len(self.dues) - self.at + len(self.heap)

    def stage(self, due: float, contact_id: str) -> None:
        self._pending.append((due, contact_id))
        if len(self._pending) >= PACK_AT:
            self._staged.append(_packed(self._pending))
            self._pending = []

    def stage_packed(self, ids: Ids, dues: Dues) -> None:
        self._staged.append((ids, dues))

    def settle(self) -> None:
        """The staged entries become the packed run, sorted by due instant, then contact id."""
        if self._pending:
            self._staged.append(_packed(self._pending))
            self._pending = []
        if not self._staged:
            return
        staged, self._staged = self._staged, []
        ids, dues = joined(staged)
        del staged
        earlier, tied = dues[:-1] < dues[1:], dues[:-1] == dues[1:]
        if not bool(np.all(earlier | (tied & (ids[:-1] <= ids[1:])))):  # a checkpoint's parts come sorted
            order = np.lexsort((ids, dues))
            ids, dues = ids[order], dues[order]
        self.ids, self.dues, self.at = ids, dues, 0

    def top(self) -> float:
        """The earliest due instant (infinity when empty)."""
        packed = float(self.dues[self.at]) if self.at < len(self.dues) else math.inf
        return min(packed, self.heap[0][0]) if self.heap else packed

    def pop(self) -> str:
        """The earliest entry's contact id, taken out."""
        if self.at < len(self.dues):
            due = float(self.dues[self.at])
            contact_id: str = self.ids[self.at].decode()
            if not self.heap or (due, contact_id) <= self.heap[0]:
                self.at += 1
                if self.at == len(self.dues):  # the run is spent: its memory goes
                    self.ids, self.dues, self.at = np.empty(0, dtype="S1"), np.empty(0, dtype=np.float64), 0
                return contact_id
        return heapq.heappop(self.heap)[1]

    def count_due(self, cutoff: float) -> int:
        packed = int(np.searchsorted(self.dues, cutoff, side="right")) - self.at
        return max(packed, 0) + sum(1 for due, _ in self.heap if due <= cutoff)

    def parts(self, part: int) -> Iterator[tuple[Ids, Dues]]:
        """The entries as packed arrays, `part` at a time (the run first, then the heap packed)."""
        ids, dues, at, heap = self.ids, self.dues, self.at, list(self.heap)  # (a pop replaces, never edits)
        for start in range(at, len(dues), part):
            yield ids[start : start + part], dues[start : start + part]
        for start in range(0, len(heap), part):
            yield _packed(heap[start : start + part])


class DueIndex:
    """(due instant, contact id) queues per campaign."""

    def __init__(self) -> None:
        self._queues: dict[str, _Queue] = {}
        self._during_reload: list[tuple[str, str, float]] | None = None
        self._next: dict[str, _Queue] = {}
        self.loaded = False
        self.loaded_at = 0.0
        self.journal: list[list[Any]] | None = None  # changes kept for the checkpoint's journal, when one is kept

    def __len__(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def add(self, campaign_id: str, contact_id: str, due_at: datetime) -> None:
        """Look at this enrollment again at `due_at`."""
        due = due_at.timestamp()
        heapq.heappush(made(self._queues, campaign_id, _Queue).heap, (due, contact_id))
        if self.journal is not None:
            self.journal.append(["d", campaign_id, contact_id, due])
        if self._during_reload is not None:
            self._during_reload.append((campaign_id, contact_id, due))

    def begin_reload(self) -> None:
        """A reload starts: `stage` the database's entries, then `commit_reload`. Entries added meanwhile
        survive the reload (the database read may have missed them)."""
        self._during_reload = []
        self._next = {}

    def stage(self, campaign_id: str, contact_id: str, due_at: datetime) -> None:
        """One entry read from the database during a reload."""
        made(self._next, campaign_id, _Queue).stage(due_at.timestamp(), contact_id)

    def stage_packed(self, campaign_id: str, ids: Ids, dues: Dues) -> None:
        """Entries of a checkpoint during a reload: contact ids as fixed-width bytes, due instants as seconds."""
        made(self._next, campaign_id, _Queue).stage_packed(ids, dues)

    def snapshot(self, part: int) -> Iterator[tuple[str, str, Ids, npt.NDArray[Any]]]:
        """Every campaign's entries as packed arrays, `part` at a time: ("due", campaign id, contact ids,
        due instants). Each queue's arrays and heap are taken as they are when its turn comes; changes made
        while the parts are written may be in the snapshot or not (they are in the journal either way)."""
        for campaign_id, queue in list(self._queues.items()):
            for ids, dues in queue.parts(part):
                yield "due", campaign_id, ids, dues

    def commit_reload(self) -> None:
        """The staged entries, plus those added since `begin_reload`, replace the index."""
        queues, self._next = self._next, {}
        for queue in queues.values():
            queue.settle()
        for campaign_id, contact_id, due in self._during_reload or []:
            made(queues, campaign_id, _Queue).heap.append((due, contact_id))
        for queue in queues.values():
            heapq.heapify(queue.heap)
        self._queues = {c: q for c, q in queues.items() if len(q)}
        self._during_reload = None
        self.loaded = True
        self.loaded_at = time.monotonic()

    def replace(self, entries: Iterable[tuple[str, str, datetime]]) -> None:
        """Start over from (campaign id, contact id, due instant) entries (a whole reload at once)."""
        if self._during_reload is None:
            self.begin_reload()
        for campaign_id, contact_id, due_at in entries:
            self.stage(campaign_id, contact_id, due_at)
        self.commit_reload()

    def pop_due(self, now: datetime, campaign_ids: Iterable[str], limit: int) -> list[tuple[str, str]]:
        """Up to `limit` (campaign id, contact id) pairs due at `now` in the given campaigns, earliest first;
        a pair entered twice comes out once."""
        cutoff = now.timestamp()
        tops = [(due, c) for c in set(campaign_ids) if (q := self._queues.get(c)) and (due := q.top()) <= cutoff]
        heapq.heapify(tops)
        out: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        while tops and len(out) < limit:
            _, campaign_id = heapq.heappop(tops)
            queue = self._queues[campaign_id]
            contact_id = queue.pop()
            if (campaign_id, contact_id) not in seen:
                seen.add((campaign_id, contact_id))
                out.append((campaign_id, contact_id))
            if (due := queue.top()) <= cutoff:
                heapq.heappush(tops, (due, campaign_id))
            elif not len(queue):
                del self._queues[campaign_id]
        return out

    def count_due(self, now: datetime, campaign_ids: Iterable[str]) -> int:
        """Entries due at `now` in the given campaigns (repeats counted: a gauge, not a ledger)."""
        cutoff = now.timestamp()
        return sum(q.count_due(cutoff) for c in set(campaign_ids) if (q := self._queues.get(c)) is not None)
