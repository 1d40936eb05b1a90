"""The durable timer's in-memory index: queued enrollments by due instant, one heap per campaign.

The database holds the truth (each enrollment's state, due instant and version); this index only says which
enrollments to look at next, so it may hold stale or repeated entries: the dispatcher re-reads what it pops
and puts back what is not ready. One heap per campaign lets a paused campaign's steps wait untouched while
the active campaigns' steps are popped earliest first.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import numpy as np


class DueIndex:
    """(due instant, contact id) heaps per campaign."""

    def __init__(self) -> None:
        self._heaps: dict[str, list[tuple[float, str]]] = {}
        self._during_reload: list[tuple[str, str, float]] | None = None
        self._next: dict[str, list[tuple[float, str]]] = {}
        self.loaded = False
        self.loaded_at = 0.0
        self.journal: list[list[Any]] | None = None  # changes kept for the checkpoint's journal, when one is kept

    def __len__(self) -> int:
        return sum(len(h) for h in self._heaps.values())

    def add(self, campaign_id: str, contact_id: str, due_at: datetime) -> None:
        """Look at this enrollment again at `due_at`."""
        due = due_at.timestamp()
        heapq.heappush(self._heaps.setdefault(campaign_id, []), (due, contact_id))
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
        self._next.setdefault(campaign_id, []).append((due_at.timestamp(), contact_id))

    def stage_packed(self, campaign_id: str, ids: np.ndarray[Any, Any], dues: np.ndarray[Any, Any]) -> None:
        """Entries of a checkpoint during a reload: contact ids as fixed-width bytes, due instants as seconds."""
        staged = self._next.setdefault(campaign_id, [])
        staged += zip(dues.tolist(), (i.decode() for i in ids.tolist()), strict=True)

    def snapshot(self, part: int) -> Iterator[tuple[str, str, np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
        """Every campaign's entries as packed arrays, `part` at a time: ("due", campaign id, contact ids,
        due instants). The heaps are copied first (a list of references), so changes made while the parts
        are written do not disturb them; only one part is packed at a time."""
        for campaign_id, heap in [(c, list(h)) for c, h in self._heaps.items() if h]:
            for start in range(0, len(heap), part):
                piece = heap[start : start + part]
                width = max(len(contact_id.encode()) for _, contact_id in piece)  # (no list of a part's bytes)
                ids = np.fromiter((c.encode() for _, c in piece), dtype=f"S{width}", count=len(piece))
                dues = np.fromiter((due for due, _ in piece), dtype=np.float64, count=len(piece))
                yield "due", campaign_id, ids, dues

    def commit_reload(self) -> None:
        """The staged entries, plus those added since `begin_reload`, replace the index."""
        heaps, self._next = self._next, {}
        for campaign_id, contact_id, due in self._during_reload or []:
            heaps.setdefault(campaign_id, []).append((due, contact_id))
        for heap in heaps.values():
            heapq.heapify(heap)
        self._heaps = heaps
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
        tops = [(h[0][0], c) for c in set(campaign_ids) if (h := self._heaps.get(c)) and h[0][0] <= cutoff]
        heapq.heapify(tops)
        out: list[tuple[str, str]] = []
        seen: set[tuple[str, str]] = set()
        while tops and len(out) < limit:
            _, campaign_id = heapq.heappop(tops)
            heap = self._heaps[campaign_id]
            _, contact_id = heapq.heappop(heap)
            if (campaign_id, contact_id) not in seen:
                seen.add((campaign_id, contact_id))
                out.append((campaign_id, contact_id))
            if heap and heap[0][0] <= cutoff:
                heapq.heappush(tops, (heap[0][0], campaign_id))
            elif not heap:
                del self._heaps[campaign_id]
        return out

    def count_due(self, now: datetime, campaign_ids: Iterable[str]) -> int:
        """Entries due at `now` in the given campaigns (repeats counted: a gauge, not a ledger)."""
        cutoff = now.timestamp()
        return sum(sum(1 for due, _ in self._heaps.get(c, ()) if due <= cutoff) for c in set(campaign_ids))
