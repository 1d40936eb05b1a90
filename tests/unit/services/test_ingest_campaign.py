"""An import's view of its campaign: the numbers taken, and the lease it keeps on the campaign."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import numpy as np
import pytest
from outreach_ingest.domain.taken import TakenNumbers
from outreach_ingest.handlers.import_deps import Deps
from outreach_ingest.handlers.imports import keep_lock

pytestmark = pytest.mark.unit


def test_taken_numbers_answer_for_each_number_asked() -> None:
    taken = TakenNumbers([np.array([12125550003, 12125550001]), np.array([447700900123, 12125550001])])
    assert len(taken) == 3
    asked = [12125550001, 12125550002, 447700900123, 1, 999999999999999, 12125550003]
    assert taken.contains(np.array(asked)).tolist() == [True, False, True, False, False, True]
    assert TakenNumbers().contains(np.array([12125550001])).tolist() == [False]
    assert taken.contains(np.array([], np.int64)).tolist() == []


class Locks:
    """Renewals succeed until `keep` of them have, then the lock is someone else's; the first fails once."""

    def __init__(self, keep: int) -> None:
        self.keep, self.calls = keep, 0

    async def renew(self, key: str, holder: str, now: datetime, lease: timedelta) -> bool:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("database away")
        return self.calls <= self.keep + 1


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 11, 24, tzinfo=UTC)


async def test_the_lease_is_renewed_until_another_run_has_the_lock() -> None:
    locks = Locks(keep=3)
    unused = cast(Any, None)
    deps = Deps(contacts=unused, imports=unused, dnc=unused, locks=cast(Any, locks), bus=unused,
                clock=cast(Any, Clock()), topics=unused, lease=timedelta(seconds=0.03))  # fmt: skip
    lost = asyncio.Event()
    await asyncio.wait_for(keep_lock("ws|cmp", "imp_1:run", deps, lost), timeout=5)
    assert lost.is_set() and locks.calls == 5  # one failed beat, three renewals, then the lock was gone
