"""Store one chunk's contacts and rejected rows, publish its contacts, move the job's progress on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import numpy as np
from outreach_common.journey import journey_roots

from outreach_ingest.adapters.events import contacts_imported
from outreach_ingest.domain.contact_columns import ContactColumns
from outreach_ingest.domain.rows import Verdict
from outreach_ingest.domain.taken import TakenNumbers
from outreach_ingest.handlers.import_chunks import Chunk
from outreach_ingest.handlers.import_deps import Deps


@dataclass
class Campaign:
    """What an import knows of its campaign when it starts: the numbers its other imports stored, and the
    rows past the job's progress that a crashed run of this import stored (published again, not stored)."""

    taken: TakenNumbers
    stored: set[int]


def _rejection(verdict: Verdict, values: list[str]) -> dict[str, Any]:
    return {
        "row": verdict.row,
        "status": verdict.status,
        "reason": verdict.reason,
        "duplicate_of": verdict.duplicate_of,
        "values": values,
    }


async def flush(
    job: dict[str, Any], chunk: Chunk, deps: Deps, dnc: dict[str, str], campaign: Campaign, *,
    after: asyncio.Task[None] | None = None,
) -> None:  # fmt: skip
    """Store a chunk's new contacts (ledger entries, then pages), record the rejected rows, publish the
    contacts, then, once the chunk `after` has, move the job's progress on."""
    now = deps.clock.now()
    ws, campaign_id, job_id = job["workspace_id"], job["campaign_id"], job["_id"]
    rejected = [_rejection(verdict, values) for verdict, values in chunk.rejected]
    refused: list[Verdict] = []  # rows turned away here: their values are read once, at the end
    contacts = chunk.contacts
    before = np.isin(contacts.rows, list(campaign.stored)) if campaign.stored else np.zeros(len(contacts), bool)
    candidates = np.flatnonzero(~before)  # (the rows a crashed run of this chunk stored are published again)
    if dnc:
        listed = [dnc.get(contacts.phones[i]) for i in candidates.tolist()]
        for i, source in zip(candidates.tolist(), listed, strict=True):
            if source is not None:
                reason = "opted out earlier" if source.startswith("opt_out") else "on the workspace's do-not-call list"
                refused.append(Verdict(row=int(contacts.rows[i]), status="suppressed", reason=reason))
        candidates = candidates[np.array([source is None for source in listed], bool)]
    taken = campaign.taken.contains(contacts.numbers[candidates])
    fresh = contacts.take(candidates[~taken])
    merged = chunk.merged
    if job["skip_duplicates"]:
        refused += [Verdict(row=row, status="duplicate", reason="contact already in campaign")
                    for row in contacts.rows[candidates[taken]].tolist()]  # fmt: skip
    else:  # duplicates kept: the campaign still holds one contact per number, the one it had
        merged += int(np.count_nonzero(taken))
    header = {"workspace_id": ws, "campaign_id": campaign_id, "import_id": job_id}
    await deps.contacts.add_pages({**header, "created_at": now}, fresh)
    if refused:
        values = chunk.values([v.row for v in refused])
        rejected += [_rejection(verdict, row) for verdict, row in zip(refused, values, strict=True)]
        rejected.sort(key=lambda r: int(r["row"]))
    await deps.imports.add_rejections(job_id, rejected)
    again = contacts.take(np.flatnonzero(before))
    await publish_contacts(header, ContactColumns.in_row_order([fresh, again]) if len(again) else fresh, deps)
    statuses = [r["status"] for r in rejected]
    for kind in ("duplicate", "invalid", "suppressed"):
        deps.instruments.rows.labels(kind).inc(statuses.count(kind))
    # a merged row is imported (the user kept duplicates): into the contact the campaign has for its number
    deps.instruments.rows.labels("imported").inc(len(fresh) + len(again) + merged)
    if after is not None:
        await after  # (its failure is this chunk's: progress never skips a chunk)
    await deps.imports.update(
        job_id,
        {"updated_at": now},
        inc={
            "rows": chunk.rows,
            "rows_done": chunk.rows,  # after publishing: a crash before this line redoes the chunk
            "imported": len(fresh) + len(again) + merged,
            "rejected": len(rejected),
            "duplicates": statuses.count("duplicate"),
            "invalid": statuses.count("invalid"),
            "suppressed": statuses.count("suppressed"),
            "opted_out": sum(1 for r in rejected if r["reason"] == "opted out earlier"),
            "merged": merged,
        },
    )


async def publish_contacts(header: dict[str, str], contacts: ContactColumns, deps: Deps) -> None:
    """Publish ContactImported for stored contacts of one import (`header`: workspace, campaign and import),
    each the root of its contact's journey (a redone chunk publishes again: consumers deduplicate)."""
    if not len(contacts):
        return
    rows = contacts.rows.tolist()
    roots: list[dict[str, str | int]] = [{"import_id": header["import_id"], "row": row} for row in rows]
    events = contacts_imported(header, contacts, deps.clock.now(), journey_roots("contact imported", roots))
    topic = deps.topics.contacts
    await deps.bus.publish_encoded([(e, topic, key) for e, key in zip(events, contacts.ids, strict=True)])
