"""The dial queue in memory: calls this instance received, oldest first, skipping held or full campaigns.

The database keeps the record of every call and arbitrates claims; the queue only saves reading the
database to find work (every read there is a scan)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import Any


class DialQueue:
    """Queued call documents (with their commands), in arrival order."""

    def __init__(self) -> None:
        self._items: deque[dict[str, Any]] = deque()
        self._keys: set[str] = set()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def keys(self) -> set[str]:
        """Idempotency keys of the queued calls."""
        return set(self._keys)

    def push(self, doc: dict[str, Any]) -> None:
        """Queue a call at the end (a call already queued is not queued twice)."""
        if doc["_id"] not in self._keys:
            self._keys.add(doc["_id"])
            self._items.append(doc)

    def take(self, *, skip: set[str]) -> Iterator[dict[str, Any]]:
        """Calls in order, each removed as it is yielded, leaving those of campaigns in `skip` in place."""
        kept: list[dict[str, Any]] = []
        try:
            while self._items:
                doc = self._items.popleft()
                if doc["campaign_id"] in skip:
                    kept.append(doc)
                    continue
                self._keys.discard(doc["_id"])
                yield doc
        finally:
            self._items.extendleft(reversed(kept))

    def drop_campaign(self, campaign_id: str) -> int:
        """Forget a stopped campaign's calls."""
        return len(self.drop_where(lambda d: d["campaign_id"] == campaign_id))

    def drop_where(self, matches: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        """Forget the calls `matches` picks (a stopped campaign's, an opted-out number's); those forgotten."""
        dropped = [d for d in self._items if matches(d)]
        if dropped:
            self._items = deque(d for d in self._items if not matches(d))
            self._keys = {d["_id"] for d in self._items}
        return dropped
