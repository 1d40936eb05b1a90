"""Each campaign's contact ids in contact order with their last known state, packed: what a page of a
campaign's contacts filtered by state reads first, so that the database is asked only by `_id`.

Like the due index it is a hint: it holds what this instance wrote and what the last reload read, and the
stored documents decide (a page re-reads its rows and keeps those whose state matches). A campaign of a
million contacts takes about 25 MB: ids as fixed-width bytes in a sorted array, states as one byte each;
ids not yet merged wait in a small dict."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
from outreach_contracts.enrollments import EnrollmentState

from outreach_scheduler.adapters.packing import joined, made

STATES: tuple[EnrollmentState, ...] = ("queued", "active", "exited", "errored", "completed")
CODE: dict[str, int] = {state: code for code, state in enumerate(STATES)}
MERGE_AT = 50_000  # unmerged ids kept in a dict before they join the sorted arrays


class _Campaign:
    """One campaign's ids (sorted, fixed-width bytes), their states, and ids not yet merged."""

    def __init__(self) -> None:
        self.ids: npt.NDArray[np.bytes_] = np.empty(0, dtype="S1")
        self.states: npt.NDArray[np.uint8] = np.empty(0, dtype=np.uint8)
        self.fresh: dict[str, int] = {}
        self._staged: list[tuple[npt.NDArray[np.bytes_], npt.NDArray[np.uint8]]] = []
        self._pending: list[str] = []
        self._pending_codes = bytearray()

    def stage(self, contact_id: str, code: int) -> None:
        """One id read by a reload (each once): packed every few thousand, sorted by `settle`."""
        self._pending.append(contact_id)
        self._pending_codes.append(code)
        if len(self._pending) >= 10_000:
            self._pack()

    def stage_packed(self, ids: npt.NDArray[np.bytes_], codes: npt.NDArray[np.uint8]) -> None:
        """Ids and states of a checkpoint, staged whole."""
        self._staged.append((ids, codes))

    def _pack(self) -> None:
        if self._pending:
            ids = np.array([k.encode() for k in self._pending])
            self._staged.append((ids, np.frombuffer(bytes(self._pending_codes), dtype=np.uint8)))
            self._pending, self._pending_codes = [], bytearray()

    def settle(self) -> None:
        """The staged ids become the sorted arrays."""
        self._pack()
        if self._staged:  # (the parts go before sorting, copies only where widths differ: a lower peak)
            staged, self._staged = self._staged, []
            ids, states = joined(staged)
            del staged
            if len(ids) > 1 and bool(np.all(ids[:-1] <= ids[1:])):  # a checkpoint's parts come sorted
                self.ids, self.states = ids, states
            else:
                order = np.argsort(ids, kind="stable")
                self.ids, self.states = ids[order], states[order]
        self.merge()

    def note(self, contact_id: str, code: int) -> None:
        if contact_id in self.fresh:
            self.fresh[contact_id] = code
            return
        key = contact_id.encode()
        at = int(np.searchsorted(self.ids, key))
        if at < len(self.ids) and self.ids[at] == key:
            self.states[at] = code
            return
        self.fresh[contact_id] = code
        if len(self.fresh) >= MERGE_AT:
            self.merge()

    def merge(self) -> None:
        if not self.fresh:
            return
        keys = sorted(self.fresh)
        new = np.array([k.encode() for k in keys])
        codes = np.fromiter((self.fresh[k] for k in keys), dtype=np.uint8, count=len(keys))
        width = max(self.ids.dtype.itemsize, new.dtype.itemsize)
        ids = self.ids.astype(f"S{width}", copy=False)
        at = np.searchsorted(ids, new.astype(f"S{width}"))
        self.ids = np.insert(ids, at, new)
        self.states = np.insert(self.states, at, codes)
        self.fresh = {}

    def after(self, contact_id: str | None, codes: npt.NDArray[np.uint8] | None, limit: int) -> list[str]:
        self.merge()
        start = int(np.searchsorted(self.ids, contact_id.encode(), side="right")) if contact_id else 0
        if codes is None:
            return [k.decode() for k in self.ids[start : start + limit]]
        found: list[int] = []
        chunk = 65_536
        while start < len(self.ids) and len(found) < limit:  # a rare state: read on in chunks
            hits = np.flatnonzero(np.isin(self.states[start : start + chunk], codes))
            found += (hits[: limit - len(found)] + start).tolist()
            start += chunk
        return [k.decode() for k in self.ids[found]]


class Roster:
    """Contact ids per campaign with their last known states; rebuilt by a reload like the due index."""

    def __init__(self) -> None:
        self._campaigns: dict[str, _Campaign] = {}
        self._next: dict[str, _Campaign] | None = None
        self._during_reload: list[tuple[str, str, int]] = []
        self.loaded = False
        self.journal: list[list[Any]] | None = None  # changes kept for the checkpoint's journal, when one is kept

    def note(self, campaign_id: str, contact_id: str, state: str) -> None:
        """This enrollment is now in `state`."""
        self.note_code(campaign_id, contact_id, CODE[state])

    def note_code(self, campaign_id: str, contact_id: str, code: int) -> None:
        """This enrollment is now in the state of code `code`."""
        made(self._campaigns, campaign_id, _Campaign).note(contact_id, code)
        if self.journal is not None:
            self.journal.append(["r", campaign_id, contact_id, code])
        if self._next is not None:
            self._during_reload.append((campaign_id, contact_id, code))

    def note_all(self, entries: Iterable[tuple[str, str, str]]) -> None:
        """Several enrollments' states."""
        for campaign_id, contact_id, state in entries:
            self.note(campaign_id, contact_id, state)

    def after(self, campaign_id: str, contact_id: str | None, states: tuple[str, ...] | None, limit: int) -> list[str]:
        """Up to `limit` contact ids of the campaign after `contact_id` in contact order, in `states` as
        last known (all when None)."""
        campaign = self._campaigns.get(campaign_id)
        if campaign is None:
            return []
        codes = None if states is None else np.array([CODE[s] for s in states if s in CODE], dtype=np.uint8)
        return campaign.after(contact_id, codes, limit)

    def begin_reload(self) -> None:
        """A reload starts: `stage` what the database holds, then `commit_reload`; notes made meanwhile win."""
        self._next = {}
        self._during_reload = []

    def stage(self, campaign_id: str, contact_id: str, state: str) -> None:
        """One enrollment read during a reload."""
        assert self._next is not None, "stage outside a reload"
        made(self._next, campaign_id, _Campaign).stage(contact_id, CODE[state])

    def stage_packed(self, campaign_id: str, ids: npt.NDArray[np.bytes_], codes: npt.NDArray[np.uint8]) -> None:
        """A campaign's ids and state codes from a checkpoint, during a reload."""
        assert self._next is not None, "stage outside a reload"
        made(self._next, campaign_id, _Campaign).stage_packed(ids, codes)

    def snapshot(self, part: int) -> Iterator[tuple[str, str, npt.NDArray[np.bytes_], npt.NDArray[np.uint8]]]:
        """Every campaign's ids and state codes, `part` at a time: ("roster", campaign id, ids, codes). The
        id arrays are replaced, never changed in place, so they are not copied; a state noted while the
        parts are written may be in the snapshot or not (it is in the journal either way)."""
        campaigns = list(self._campaigns.items())
        for campaign_id, campaign in campaigns:
            campaign.merge()
            ids, states = campaign.ids, campaign.states
            for start in range(0, len(ids), part):
                yield "roster", campaign_id, ids[start : start + part], states[start : start + part].copy()

    def commit_reload(self) -> None:
        """What was staged, with the notes made since `begin_reload`, replaces the roster."""
        assert self._next is not None, "commit outside a reload"
        campaigns, self._next = self._next, None
        for campaign in campaigns.values():
            campaign.settle()
        for campaign_id, contact_id, code in self._during_reload:
            made(campaigns, campaign_id, _Campaign).note(contact_id, code)
        self._campaigns = campaigns
        self._during_reload = []
        self.loaded = True
