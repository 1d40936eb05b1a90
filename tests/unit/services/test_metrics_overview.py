"""The in-memory overview: state changes counted once, in any order; a failed write forces a recount."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from outreach_common.mongo import Document
from outreach_contracts.enrollments import EnrollmentChanged
from outreach_metrics.domain.overview import Overview
from outreach_metrics.handlers.project import Projector, fact_row, state_row

pytestmark = pytest.mark.unit
CHANGES = [(1, "queued", None), (2, "active", None), (3, "exited", "answered")]


@pytest.mark.parametrize("order", list(itertools.permutations(CHANGES)))
def test_latest_version_wins_whatever_the_order(order: tuple[tuple[int, str, str | None], ...]) -> None:
    overview = Overview()
    for version, state, reason in order + order:  # and each one twice
        overview.apply_state("cmp", "ct1", version, state, reason)
    overview.apply_state("cmp", "ct2", 1, "queued", None)
    view = overview.view("cmp")
    assert (view["total"], view["queued"], view["active"], view["exited"]) == (2, 1, 0, 1)
    assert view["exited_by_reason"]["answered"] == 1


def test_funnel_by_step_day_and_hour() -> None:
    overview = Overview()
    overview.add_fact("cmp", "attempts", 0, "2026-03-09")  # a row stored before hours were kept
    overview.add_fact("cmp", "attempts", 1, "2026-03-10T14", count=2)
    overview.add_fact("cmp", "opt_outs", None, "2026-03-10T15")
    view = overview.view("cmp")
    assert view["funnel"]["attempts"] == 3 and view["funnel"]["calls_placed"] == 0
    assert view["funnel_by_step"] == {"0": {"attempts": 1}, "1": {"attempts": 2}}
    assert view["funnel_by_day"] == {"2026-03-09": {"attempts": 1}, "2026-03-10": {"attempts": 2, "opt_outs": 1}}
    assert view["funnel_by_hour"] == {"2026-03-10T14": {"attempts": 2}, "2026-03-10T15": {"opt_outs": 1}}


class FlakyStore:
    """Stores rows by id like the real store; the first write stores the rows, then fails."""

    def __init__(self) -> None:
        self.rows: dict[str, Document] = {}
        self.fail_next = True

    async def add(self, states: list[Document], facts: list[Document]) -> tuple[list[Document], list[Document]]:
        new = [[row for row in rows if row["_id"] not in self.rows] for rows in (states, facts)]
        self.rows.update({row["_id"]: row for row in states + facts})
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("lost the answer")
        return new[0], new[1]

    async def load(self, overview: Overview) -> int:
        for row in self.rows.values():
            if "state" in row:
                overview.apply_state(row["campaign_id"], row["contact_id"], row["version"], row["state"], row["reason"])
            else:
                overview.add_fact(row["campaign_id"], row["kind"], row["step_index"], row["hour"])
        return len(self.rows)


async def test_a_write_that_failed_after_storing_is_recounted_not_lost() -> None:
    store = FlakyStore()
    projector = Projector(store, Overview())  # type: ignore[arg-type]
    at = datetime(2026, 3, 9, 15, tzinfo=UTC)
    change = EnrollmentChanged(
        occurred_at=at, workspace_id="ws", campaign_id="cmp", contact_id="ct1", state="queued", version=1, step_index=0
    )
    with pytest.raises(ConnectionError):
        await projector.project([change])
    await projector.project([change])  # redelivered: refused by id, but counted by the recount
    view: dict[str, Any] = projector.overview.view("cmp")
    assert (view["total"], view["queued"]) == (1, 1)
    assert state_row(change)["_id"] == "cmp:ct1:1" and fact_row(change) is None
