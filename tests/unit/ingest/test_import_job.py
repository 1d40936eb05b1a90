"""An import job on in-memory fakes of its stores, lock and bus: verdicts per row, each number stored
once per campaign (also across imports), the do-not-call list honoured, counters that add up, a waiting
import started when the one before it ends, and a cancel before the run started."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from outreach_common.clock import VirtualClock
from outreach_contracts.topics import Topics
from outreach_ingest.domain.csvfile import Dialect
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.handlers.import_deps import Deps
from outreach_ingest.handlers.imports import run_import, stop_local

from tests.unit.fakes.bus import FakeBus
from tests.unit.fakes.ingest import FakeJobs, FakeLocks, FakeStoredContacts, FakeSuppressions
from tests.waiting import eventually

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)


def make_deps() -> Deps:
    return Deps(contacts=FakeStoredContacts(), imports=FakeJobs(), dnc=FakeSuppressions(), locks=FakeLocks(),  # type: ignore[arg-type]
                bus=FakeBus(), clock=VirtualClock(NOW), topics=Topics(), batch=3)  # fmt: skip


async def job(deps: Deps, tmp_path: Path, name: str, body: str, **kw: Any) -> dict[str, Any]:
    path = tmp_path / f"{name}.csv"
    path.write_text(body)
    doc = {"_id": name, "workspace_id": "ws", "campaign_id": "cmp", "status": "queued", "path": str(path),
           "created_at": NOW, "default_region": "US", "skip_duplicates": True, "encoding": "utf-8",
           "delimiter": ",", "has_headers": True, "mapping": {"to_number": "phone"}, **kw}  # fmt: skip
    await deps.imports.add(doc)  # type: ignore[attr-defined]
    return doc


async def run(deps: Deps, doc: dict[str, Any]) -> None:
    dialect = Dialect(encoding="utf-8", delimiter=",", has_headers=True)
    await run_import(doc, Path(doc["path"]), dialect, Mapping.from_pairs({"to_number": "phone"}), deps)


async def test_rows_get_verdicts_and_numbers_enter_a_campaign_once(tmp_path: Path) -> None:
    deps = make_deps()
    await deps.dnc.add_many([{"_id": "ws:+12125550105", "workspace_id": "ws", "phone": "+12125550105",  # type: ignore[attr-defined]
                              "source": "api"}])  # fmt: skip
    rows = ["(212) 555-0101", "212-555-0102", "12345", "+1 212 555 0101", "2125550105", "212 555 0106", "212 555 0107"]
    first = await job(deps, tmp_path, "imp1", "phone\n" + "\n".join(rows) + "\n")
    await run(deps, first)
    done = await deps.imports.get("imp1")
    assert done is not None and done["status"] == "completed"
    assert (done["rows"], done["imported"], done["invalid"], done["duplicates"], done["suppressed"]) == (7, 4, 1, 1, 1)
    assert done["rows"] == done["imported"] + done["rejected"]
    assert isinstance(deps.bus, FakeBus)
    assert sorted(e.contact.phone for e in deps.bus.of_type("ContactImported")) == [
        "+12125550101", "+12125550102", "+12125550106", "+12125550107"]  # fmt: skip
    second = await job(deps, tmp_path, "imp2", "phone\n212 555 0101\n212 555 0108\n")
    await run(deps, second)
    again = await deps.imports.get("imp2")
    assert again is not None and (again["imported"], again["duplicates"]) == (1, 1)  # 0101: in the campaign


async def test_a_waiting_import_starts_when_the_one_before_ends_and_a_cancel_before_its_run_stops_it(
    tmp_path: Path,
) -> None:
    deps = make_deps()
    assert isinstance(deps.locks, FakeLocks)
    deps.locks.holders["ws|cmp"] = "imp0:other"  # another import of the campaign is running
    waiting = await job(deps, tmp_path, "imp1", "phone\n212 555 0101\n")
    await run(deps, waiting)
    queued = await deps.imports.get("imp1")
    assert queued is not None and (queued["status"], queued["waiting_for"]) == ("queued", "imp0")
    dropped = await job(deps, tmp_path, "imp2", "phone\n212 555 0102\n")
    task = asyncio.create_task(run(deps, dropped))
    await asyncio.sleep(0)  # it is running here, waiting for the lock
    await stop_local("imp2", deps, within=1)
    await task
    assert (await deps.imports.get("imp2"))["status"] == "canceled"  # type: ignore[index]
    assert dropped["path"] not in {str(f) for f in tmp_path.iterdir()}  # noqa: ASYNC240 - a test's folder
    del deps.locks.holders["ws|cmp"]
    finisher = await job(deps, tmp_path, "imp3", "phone\n212 555 0103\n", created_at=NOW)
    await run(deps, finisher)  # when it ends, the oldest waiting import of the campaign starts

    async def started_and_done() -> bool:
        return bool((await deps.imports.get("imp1"))["status"] == "completed")  # type: ignore[index]

    await eventually(started_and_done, timeout=5, what="the waiting import ran")
