"""The roster: each campaign's contact ids in contact order with their last known states, as a page of the
contacts table reads them (by state, after a cursor), through notes, merges and reloads."""

from __future__ import annotations

import random

import pytest
from outreach_scheduler.adapters import roster as roster_module
from outreach_scheduler.adapters.roster import Roster

pytestmark = pytest.mark.unit


def ids(n: int) -> list[str]:
    return [f"ct_{i:020x}" for i in range(n)]


def test_pages_in_contact_order_after_a_cursor_whatever_the_order_of_notes() -> None:
    roster = Roster()
    every = ids(50)
    shuffled = every[:]
    random.Random(3).shuffle(shuffled)
    for contact in shuffled:
        roster.note("cmp_a", contact, "queued")
    roster.note("cmp_b", "ct_other", "queued")
    assert roster.after("cmp_a", None, None, 10) == every[:10]
    assert roster.after("cmp_a", every[9], None, 10) == every[10:20]
    assert roster.after("cmp_a", every[-1], None, 10) == []
    assert roster.after("cmp_missing", None, None, 10) == []


def test_filters_by_last_known_state_across_merges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster_module, "MERGE_AT", 7)  # merges happen while notes arrive
    roster = Roster()
    every = ids(100)
    for contact in every:
        roster.note("cmp", contact, "queued")
    errored = every[5::20]
    for contact in errored:
        roster.note("cmp", contact, "errored")
    roster.note("cmp", every[0], "active")
    assert roster.after("cmp", None, ("errored",), 10) == errored
    assert roster.after("cmp", errored[1], ("errored",), 2) == errored[2:4]
    assert roster.after("cmp", None, ("errored", "active"), 3) == [every[0], *errored[:2]]
    queued = roster.after("cmp", None, ("queued",), 1000)
    assert len(queued) == 100 - len(errored) - 1 and queued == sorted(queued)


def test_a_reload_replaces_what_was_known_but_keeps_notes_made_while_it_read() -> None:
    roster = Roster()
    roster.note("cmp", "ct_gone", "queued")
    roster.begin_reload()
    for contact in ids(30_000):  # packed in chunks while read
        roster.stage("cmp", contact, "exited")
    roster.note("cmp", ids(1)[0], "active")  # written here during the read: newer than what was read
    roster.note("cmp", "ct_zz_new", "queued")
    roster.commit_reload()
    assert roster.loaded
    assert roster.after("cmp", None, ("active",), 5) == [ids(1)[0]]
    assert roster.after("cmp", None, ("queued",), 5) == ["ct_zz_new"]
    assert "ct_gone" not in roster.after("cmp", None, None, 40_000)
    assert len(roster.after("cmp", None, ("exited",), 40_000)) == 29_999


def test_ids_longer_than_those_known_are_kept_whole() -> None:
    roster = Roster()
    roster.note("cmp", "ct_1", "queued")
    roster.after("cmp", None, None, 1)  # merged at width 4
    roster.note("cmp", "ct_1000000", "queued")
    assert roster.after("cmp", None, None, 5) == ["ct_1", "ct_1000000"]
