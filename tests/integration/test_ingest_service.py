"""Ingest against real Kafka and the MongoDB-wire server: imports agree with the check command, the
rejected-rows download, uploading twice, the do-not-call list and the launch preview."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from bson import Binary
from outreach_contracts.campaigns import CampaignCreated
from outreach_contracts.contacts import ContactImported
from outreach_contracts.messages import ContactOptedOut
from outreach_devstack.stack import free_port
from outreach_ingest.adapters.csvfiles import check_file, detect
from outreach_ingest.bootstrap import build
from outreach_ingest.config import Settings
from outreach_ingest.domain.mapping import Mapping
from outreach_ingest.handlers.imports import resume_unfinished

from tests.conftest import Infra
from tests.integration.helpers import caller, eventually, produce, read_messages, serving
from tests.unit.fakes.ingest import as_stored, contact_columns

pytestmark = pytest.mark.integration
DATA = Path(__file__).parents[1] / "data" / "csv"
FILES = [
    ("utf8_bom_comma.csv", {"to_number": "Phone", "first_name": "First Name", "email": "Email", "plan": "Plan"}, "US"),
    ("semicolon_cp1252.csv", {"to_number": "Téléphone", "first_name": "Prénom"}, "FR"),
    ("utf16_tab.csv", {"to_number": "phone", "notes": "notes"}, "US"),
    ("pipe_quoted_newlines.csv", {"to_number": "mobile", "comment": "comment"}, "US"),
]


def settings_for(infra: Infra, run_id: str, tmp_path: Path) -> Settings:
    return Settings(
        kafka_bootstrap=infra.kafka_bootstrap,
        mongo_url=infra.mongo_url,
        mongo_db=f"{run_id}_ingest",
        topic_prefix=f"{run_id}.",
        upload_dir=str(tmp_path / "uploads"),
        publish_batch=3,  # several batches per file: duplicates across batches are found in the database
        seen_in_memory=4,  # the numbers seen move to disk early
        workspace_id="ws",
    )


CAMPAIGNS = ("cmp", "cmp0", "cmp1", "cmp2", "cmp3", "held")


async def campaigns_of_ws(infra: Infra, settings: Settings, *, workspace_id: str = "ws") -> None:
    """The campaigns these tests import into, made known to ingest the way the scheduler does (events)."""
    now = datetime.now(UTC)
    events = [CampaignCreated(occurred_at=now, workspace_id=workspace_id, campaign_id=c) for c in CAMPAIGNS]
    await produce(
        infra.kafka_bootstrap,
        settings.topics.campaigns,
        [(e.campaign_id, e.model_dump_json().encode()) for e in events],
    )


async def upload(
    http: httpx.AsyncClient, url: str, name: str, mapping: dict[str, str], *, campaign: str, region: str = "US"
) -> dict[str, Any]:
    files = {"file": (name, (DATA / name).read_bytes(), "text/csv")}
    form = {"campaign_id": campaign, "mapping": json.dumps(mapping), "default_region": region}
    response = await http.post(f"{url}/imports", files=files, data=form)
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    done: dict[str, Any] = {}

    async def finished() -> bool:
        done.update((await http.get(f"{url}/imports/{job_id}")).json())
        return done["status"] in ("completed", "failed")

    await eventually(finished, timeout=60)
    assert done["status"] == "completed", done
    return done


async def rejected_rows(http: httpx.AsyncClient, url: str, job_id: str) -> list[list[str]]:
    response = await http.get(f"{url}/imports/{job_id}/rejected.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.text)))


async def test_http_imports_give_the_check_commands_verdicts(infra: Infra, run_id: str, tmp_path: Path) -> None:
    settings = settings_for(infra, run_id, tmp_path)
    port = free_port()
    async with serving(build(settings), port) as url, httpx.AsyncClient(timeout=30, headers=caller()) as http:
        await campaigns_of_ws(infra, settings)
        expected_imported = 0
        for index, (name, mapping, region) in enumerate(FILES):
            job = await upload(http, url, name, mapping, campaign=f"cmp{index}", region=region)
            path = DATA / name
            report = check_file(path, detect(path), Mapping.from_pairs(mapping), default_region=region)
            assert (job["rows"], job["imported"], job["duplicates"], job["invalid"]) == (
                report["rows"],
                report["imported"],
                report["duplicates"],
                report["invalid"],
            ), name
            table = await rejected_rows(http, url, job["id"])
            assert table[0][:5] == ["row", "status", "reason", "duplicate_of", "values"]
            got = [(int(r[0]), r[1], r[2], r[3]) for r in table[1:]]
            want = [(r["row"], r["status"], r["reason"], str(r.get("duplicate_of") or "")) for r in report["rejected"]]
            assert got == want, name
            expected_imported += report["imported"]
        events = await read_messages(infra.kafka_bootstrap, settings.topics.contacts, count=expected_imported)
        assert len(events) == expected_imported
        assert all(isinstance(e, ContactImported) for e in events)
        first = [e for e in events if isinstance(e, ContactImported) and e.campaign_id == "cmp0"]
        assert sorted(e.row for e in first) == [1, 7, 8, 9, 10]
        formula = next(e for e in first if e.row == 9)
        assert formula.contact.first_name == "=cmd|' /C calc'!A0"  # stored as text


async def test_uploading_twice_imports_nothing_new_and_bad_mappings_are_422(
    infra: Infra, run_id: str, tmp_path: Path
) -> None:
    settings = settings_for(infra, run_id, tmp_path)
    name, mapping, _ = FILES[0]
    async with serving(build(settings), free_port()) as url, httpx.AsyncClient(timeout=30, headers=caller()) as http:
        await campaigns_of_ws(infra, settings)
        first = await upload(http, url, name, mapping, campaign="cmp")
        second = await upload(http, url, name, mapping, campaign="cmp")
        assert first["imported"] == 5 and second["imported"] == 0
        assert second["duplicates"] == 6  # five already in the campaign, one repeated within the file
        table = await rejected_rows(http, url, second["id"])
        reasons = {int(r[0]): r[2] for r in table[1:]}
        assert reasons[1] == "contact already in campaign"
        formula_row = next(r for r in table[1:] if r[0] == "9")
        assert "'=cmd|' /C calc'!A0" in formula_row and "'=1+1" in formula_row

        files = {"file": (name, (DATA / name).read_bytes(), "text/csv")}
        bad = await http.post(
            f"{url}/imports", files=files, data={"campaign_id": "cmp", "mapping": json.dumps({"to_number": "Tel"})}
        )
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "mapping", "to_number"]
        missing = await http.post(
            f"{url}/imports", files=files, data={"campaign_id": "cmp", "mapping": json.dumps({"email": "Email"})}
        )
        assert missing.status_code == 422
        form = {"campaign_id": "cmp", "mapping": json.dumps(mapping)}
        kept = sorted((tmp_path / "uploads").iterdir())
        foreign = await http.post(f"{url}/imports", files=files, data=form, headers=caller("ws_other"))
        assert foreign.status_code == 404  # the campaign is another workspace's: refused at once
        unknown = await http.post(f"{url}/imports", files=files, data={**form, "campaign_id": "nope"})
        assert unknown.status_code == 404
        bad_delimiter = await http.post(f"{url}/imports", files=files, data={**form, "delimiter": "x"})
        assert bad_delimiter.status_code == 422
        assert sorted((tmp_path / "uploads").iterdir()) == kept  # no file left behind by a refused upload

        preview = await http.post(
            f"{url}/imports/preview", files={"file": ("s.csv", (DATA / "semicolon_cp1252.csv").read_bytes())}
        )
        body = preview.json()
        assert (body["encoding"], body["delimiter"]) == ("cp1252", ";")
        assert body["header"] == ["Téléphone", "Prénom", "Nom", "Ville"]
        assert body["rows"][0][:2] == ["06 12 34 56 78", "José"]
        assert body["suggested_mapping"] == {
            "to_number": "Téléphone",
            "first_name": "Prénom",
            "last_name": "Nom",
            "ville": "Ville",
        }


async def test_do_not_call_list_and_launch_preview(infra: Infra, run_id: str, tmp_path: Path) -> None:
    settings = settings_for(infra, run_id, tmp_path)
    name, mapping, _ = FILES[0]
    async with serving(build(settings), free_port()) as url, httpx.AsyncClient(timeout=30, headers=caller()) as http:
        await campaigns_of_ws(infra, settings)
        added = await http.post(
            f"{url}/dnc", json={"phones": ["212-555-0123", "+1 (212) 555-0123", "nope"], "reason": "asked"}
        )
        assert added.json()["added"] == 1 and added.json()["already_listed"] == 0
        assert added.json()["invalid"][0]["row"] == 3

        dnc_file = b"number\n646.555.0199\n+1 415 555 0199\n"
        imported = await http.post(f"{url}/dnc/imports", files={"file": ("dnc.csv", dnc_file)})
        assert imported.json()["added"] == 2

        events = await read_messages(infra.kafka_bootstrap, settings.topics.messages, count=3)
        assert {e.phone for e in events if isinstance(e, ContactOptedOut) and e.channel == "dnc"} == {
            "+12125550123",
            "+16465550199",
            "+14155550199",
        }

        # an opt-out on another channel lands on the list too (and is not republished)
        sms_opt_out = ContactOptedOut(
            occurred_at=events[0].occurred_at, workspace_id="ws", phone="+12125550124", channel="sms"
        )
        await produce(
            infra.kafka_bootstrap, settings.topics.messages, [("+12125550124", sms_opt_out.model_dump_json().encode())]
        )

        async def listed() -> bool:
            return (await http.get(f"{url}/dnc/+12125550124")).status_code == 200

        await eventually(listed, timeout=60)
        assert (await http.get(f"{url}/dnc/(212) 555-0124")).json()["source"] == "opt_out:sms"

        job = await upload(http, url, name, mapping, campaign="cmp")
        assert (job["imported"], job["suppressed"], job["opted_out"]) == (2, 3, 1)

        await http.post(f"{url}/dnc", json={"phones": ["+44 20 7946 0958"]})  # after the import
        preview = (await http.get(f"{url}/campaigns/cmp/preview")).json()
        assert preview["split"] == {"do_not_call": 3, "opted_out": 1, "invalid": 5, "duplicate": 1}
        assert preview["message"] == "10 of 11 contacts will be skipped"

        assert (await http.delete(f"{url}/dnc/+12125550123")).status_code == 204
        assert (await http.get(f"{url}/dnc/+12125550123")).status_code == 404
        page = (await http.get(f"{url}/dnc", params={"limit": 2})).json()
        assert len(page["items"]) == 2 and page["next"]


async def test_a_crashed_import_resumes_after_its_last_stored_chunk(infra: Infra, run_id: str, tmp_path: Path) -> None:
    """A job a crash left running after ten rows goes on from row 11: the rows before it are not stored
    again, yet a later repeat of one of their numbers is still a duplicate of its first row."""
    settings = settings_for(infra, run_id, tmp_path)
    path = tmp_path / "list.csv"
    numbers = [f"(212) 555-{1000 + i:04d}" for i in range(1, 21)]
    numbers[14] = "+1 212 555 1003"  # row 15 repeats row 3, written differently
    path.write_text("phone,name\n" + "".join(f"{n},Name {i}\n" for i, n in enumerate(numbers, start=1)))
    app = build(settings)
    async with serving(app, free_port()) as url, httpx.AsyncClient(timeout=30, headers=caller()) as http:
        await campaigns_of_ws(infra, settings)
        deps = app.state.deps
        old = deps.clock.now() - timedelta(minutes=5)
        job = {"_id": f"imp_{run_id}", "campaign_id": "cmp", "workspace_id": "ws", "filename": path.name,
               "path": str(path), "status": "running", "encoding": "utf-8", "delimiter": ",", "has_headers": True,
               "mapping": {"to_number": "phone", "first_name": "name"}, "default_region": "US",
               "skip_duplicates": True, "rows": 10, "rows_done": 10, "imported": 10, "rejected": 0,
               "duplicates": 0, "invalid": 0, "created_at": old, "updated_at": old}  # fmt: skip
        await deps.imports.add(job)
        # the crashed run had stored the chunk of rows 11-13 (ledger entry and page, maybe unpublished), and
        # for rows 14 and 16 only the ledger entry (the page insert never ran)
        header = {"workspace_id": "ws", "campaign_id": "cmp", "import_id": job["_id"]}
        stored = contact_columns([{"id": f"ct_{r}", "row": r, "phone": f"+1212555{1000 + r}"} for r in (11, 12, 13)])
        await deps.contacts.add_pages(header, stored)
        numbers, rows = np.array([12125551014, 12125551016]), np.array([14, 16])
        orphan = {**header, "_id": f"{job['_id']}:{14:012d}", "numbers": Binary(numbers.tobytes()),
                  "rows": Binary(rows.tobytes())}  # fmt: skip
        await deps.contacts.ledger.insert_one(orphan)
        await resume_unfinished(deps)  # (or the service's own sweep did already: a job runs once)
        done: dict[str, Any] = {}

        async def finished() -> bool:
            done.update((await http.get(f"{url}/imports/{job['_id']}")).json())
            return bool(done["status"] == "completed")

        await eventually(finished, timeout=60)
        assert (done["rows"], done["imported"], done["duplicates"]) == (20, 19, 1)
        table = await rejected_rows(http, url, job["_id"])
        assert [(r[0], r[2]) for r in table[1:]] == [("15", "duplicate phone number in file (same as row 3)")]
        events = await read_messages(infra.kafka_bootstrap, settings.topics.contacts, count=9)
        assert sorted(e.row for e in events if isinstance(e, ContactImported)) == [11, 12, 13, 14, 16, 17, 18, 19, 20]
        stored = [c["row"] for page in [p async for p in deps.contacts.of_campaign("ws", "cmp")] for c in page]
        assert sorted(stored) == [11, 12, 13, 14, 16, 17, 18, 19, 20]  # the crashed run's page kept, none twice
        ledger = [int(r) for e in [e async for e in deps.contacts.ledger_of("ws", "cmp")] for r in e.rows]
        assert sorted(ledger) == sorted(stored)


async def test_contacts_are_stored_as_a_ledger_of_numbers_and_pages(
    infra: Infra, run_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages (of contacts, of rejected rows) split at their size limit and read back in row order; a redone
    chunk stores nothing twice; the ledger holds each page's rows and numbers."""
    from outreach_ingest.adapters import repository as module
    from outreach_ingest.adapters.repository import ContactRepository, ImportRepository
    from pymongo import AsyncMongoClient

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongo_url)
    try:
        repository = ContactRepository(client[f"{run_id}_pages"])
        monkeypatch.setattr(module, "PAGE_BYTES", 200)
        contacts = [{"id": f"ct_{i}", "row": i, "phone": f"+1212555{i:04d}", "first_name": "Zoë", "fields": {"n": '"'}}
                    for i in range(1, 11)]  # fmt: skip
        header = {"workspace_id": "ws", "campaign_id": "cmp", "import_id": "imp"}
        for _ in range(2):
            await repository.add_pages(header, contact_columns(contacts))
        pages = [page async for page in repository.of_campaign("ws", "cmp")]
        assert len(pages) > 2 and [c for page in pages for c in page] == [as_stored(c) for c in contacts]
        assert [page async for page in repository.of_campaign("ws", "other")] == []
        ledger = sorted([entry async for entry in repository.ledger_of("ws", "cmp")], key=lambda e: e.page)
        assert len(ledger) == len(pages) and {e.import_id for e in ledger} == {"imp"}
        assert [int(row) for entry in ledger for row in entry.rows] == list(range(1, 11))
        assert [int(n) for entry in ledger for n in entry.numbers] == [int(f"1212555{i:04d}") for i in range(1, 11)]
        assert [await repository.has_page(entry.page) for entry in ledger] == [True] * len(ledger)
        await repository.drop_entry(ledger[0].page)
        assert len([entry async for entry in repository.ledger_of("ws", "cmp")]) == len(pages) - 1
        imports = ImportRepository(client[f"{run_id}_pages"])
        rejected = [{"row": r, "status": "invalid", "reason": "too short", "duplicate_of": None,
                     "values": ["12345", "Zoë"]} for r in range(1, 13)]  # fmt: skip
        for start in (0, 6, 0):  # two chunks, then the first again (a redone chunk)
            await imports.add_rejections("imp", rejected[start : start + 6])
        got = [r async for r in imports.iter_rejected("imp")]
        assert [r["row"] for r in got] == list(range(1, 13)) and got[0]["values"] == ["12345", "Zoë"]
    finally:
        await client.close()


async def test_a_running_import_can_be_canceled_and_a_finished_one_cannot(
    infra: Infra, run_id: str, tmp_path: Path
) -> None:
    settings = settings_for(infra, run_id, tmp_path).model_copy(update={"publish_batch": 500})
    rows = 60_000
    body = "phone,name\n" + "".join(f"(212) {200 + i // 10000:03d}-{i % 10000:04d},N{i}\n" for i in range(rows))
    async with serving(build(settings), free_port()) as url, httpx.AsyncClient(timeout=30, headers=caller()) as http:
        await campaigns_of_ws(infra, settings)
        form = {"campaign_id": "cmp", "mapping": json.dumps({"to_number": "phone", "first_name": "name"})}
        started = await http.post(f"{url}/imports", files={"file": ("big.csv", body.encode())}, data=form)
        job_id = started.json()["id"]
        canceling = await http.post(f"{url}/imports/{job_id}/cancel")
        assert canceling.status_code == 200 and canceling.json()["status"] in ("canceling", "canceled")
        done: dict[str, Any] = {}

        async def stopped() -> bool:
            done.update((await http.get(f"{url}/imports/{job_id}")).json())
            return bool(done["status"] in ("canceled", "completed", "failed"))

        await eventually(stopped, timeout=60)
        assert done["status"] == "canceled" and done["rows"] < rows
        assert done["rows"] == done["imported"] + done["rejected"]
        assert (await http.post(f"{url}/imports/{job_id}/cancel")).status_code == 409


async def test_imports_of_one_campaign_run_one_at_a_time(infra: Infra, run_id: str, tmp_path: Path) -> None:
    """An import waits (queued) while another holds its campaign; two uploads at once store each number
    once; with duplicates kept, repeats (in the file, of the campaign) are merged into the contact it has."""
    settings = settings_for(infra, run_id, tmp_path).model_copy(update={"publish_batch": 100})
    mapping = json.dumps({"to_number": "phone", "first_name": "name"})

    def body(numbers: range) -> bytes:
        return ("phone,name\n" + "".join(f"(212) 555-{n:04d},N{n}\n" for n in numbers)).encode()

    app = build(settings)
    async with serving(app, free_port()) as url, httpx.AsyncClient(timeout=30, headers=caller()) as http:
        await campaigns_of_ws(infra, settings)
        deps = app.state.deps

        async def start(campaign: str, data: bytes, **form: str) -> str:
            files = {"file": ("list.csv", data, "text/csv")}
            response = await http.post(
                f"{url}/imports", files=files, data={"campaign_id": campaign, "mapping": mapping, **form}
            )
            assert response.status_code == 202, response.text
            return str(response.json()["id"])

        async def job(job_id: str) -> dict[str, Any]:
            return dict((await http.get(f"{url}/imports/{job_id}")).json())

        async def completed(*ids: str) -> list[dict[str, Any]]:
            async def all_done() -> bool:
                return [(await job(i))["status"] for i in ids] == ["completed"] * len(ids)

            await eventually(all_done, timeout=60)
            return [await job(i) for i in ids]

        assert await deps.locks.acquire("ws|held", "imp_other:run", deps.clock.now(), deps.lease) is None
        waiting = await start("held", body(range(1000, 1010)))

        async def queued() -> bool:
            found = await job(waiting)
            return bool(found["status"] == "queued" and found.get("waiting_for") == "imp_other")

        await eventually(queued, timeout=30)
        dropped = await start("held", body(range(1000, 1010)))
        canceled = (await http.post(f"{url}/imports/{dropped}/cancel")).json()
        assert canceled["status"] == "canceled"  # a waiting import stops at once
        await deps.locks.release("ws|held", "imp_other:run")
        await resume_unfinished(deps, idle=timedelta(0))
        assert [j["imported"] for j in await completed(waiting)] == [10]
        assert (await job(dropped))["status"] == "canceled" and (await job(dropped))["rows"] == 0

        first, second = await start("cmp", body(range(1000, 3000))), await start("cmp", body(range(2000, 4000)))
        a, b = await completed(first, second)
        assert a["imported"] + b["imported"] == 3000 and a["duplicates"] + b["duplicates"] == 1000
        stored = [c["phone"] for page in [p async for p in deps.contacts.of_campaign("ws", "cmp")] for c in page]
        assert len(stored) == len(set(stored)) == 3000

        repeats = body(range(4000, 4010)) + b"212-555-4003,again\n"
        kept = await start("cmp", repeats, skip_duplicates="false")
        again = await start("cmp", body(range(3995, 4005)), skip_duplicates="false")
        k, g = await completed(kept, again)
        assert (k["rows"], k["imported"], k["merged"], k["duplicates"]) == (11, 11, 1, 0)  # as the check command
        assert (g["rows"], g["imported"], g["merged"], g["duplicates"]) == (10, 10, 10, 0)
        stored = [c["phone"] for page in [p async for p in deps.contacts.of_campaign("ws", "cmp")] for c in page]
        assert len(stored) == len(set(stored)) == 3010  # one contact a number
        assert await deps.locks.acquire("ws|cmp", "imp_next:run", deps.clock.now(), deps.lease) is None


async def test_campaign_locks_lapse_and_are_renewed_only_by_their_holder(infra: Infra, run_id: str) -> None:
    from outreach_ingest.adapters.locks import CampaignLocks
    from pymongo import AsyncMongoClient

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongo_url)
    try:
        locks, lease = CampaignLocks(client[f"{run_id}_locks"]), timedelta(seconds=60)
        now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
        assert await locks.acquire("ws|cmp", "imp_a:1", now, lease) is None
        assert await locks.acquire("ws|cmp", "imp_b:1", now + timedelta(seconds=30), lease) == "imp_a:1"
        assert await locks.renew("ws|cmp", "imp_a:1", now + timedelta(seconds=50), lease)
        assert await locks.acquire("ws|cmp", "imp_b:1", now + timedelta(seconds=100), lease) == "imp_a:1"
        assert await locks.acquire("ws|cmp", "imp_b:1", now + timedelta(seconds=111), lease) is None  # lapsed
        assert not await locks.renew("ws|cmp", "imp_a:1", now + timedelta(seconds=112), lease)
        await locks.release("ws|cmp", "imp_a:1")  # not its lock any more: nothing happens
        assert await locks.acquire("ws|cmp", "imp_c:1", now + timedelta(seconds=113), lease) == "imp_b:1"
        await locks.release("ws|cmp", "imp_b:1")
        assert await locks.acquire("ws|cmp", "imp_c:1", now + timedelta(seconds=114), lease) is None
        assert await locks.acquire("ws|other", "imp_d:1", now, lease) is None
    finally:
        await client.close()
