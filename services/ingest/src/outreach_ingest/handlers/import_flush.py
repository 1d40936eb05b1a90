"""Store one chunk's contacts and rejected rows, publish its contacts, move the job's progress on."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from outreach_common.journey import journey_roots

from outreach_ingest.adapters.events import contacts_imported
from outreach_ingest.domain.rows import Verdict, contact_id
from outreach_ingest.domain.taken import TakenNumbers, number_key
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
    stored_before, candidates = [], []  # (row, contact)
    for row, contact in chunk.contacts:
        if row in campaign.stored:  # by the crashed run of this chunk (maybe unpublished)
            stored_before.append((row, contact))
            continue
        source = dnc.get(contact["phone"]) if dnc else None
        if source is not None:
            reason = "opted out earlier" if source.startswith("opt_out") else "on the workspace's do-not-call list"
            refused.append(Verdict(row=row, status="suppressed", reason=reason))
            continue
        candidates.append((row, contact))
    taken = campaign.taken.contains([number_key(contact["phone"]) for _, contact in candidates])
    fresh, merged = [], chunk.merged
    for (row, contact), known in zip(candidates, taken, strict=True):
        if not known:
            fresh.append((contact_id(ws, campaign_id, contact["phone"]), row, contact))
        elif job["skip_duplicates"]:
            refused.append(Verdict(row=row, status="duplicate", reason="contact already in campaign"))
        else:  # duplicates kept: the campaign still holds one contact per number, the one it had
            merged += 1
    header = {"workspace_id": ws, "campaign_id": campaign_id, "import_id": job_id}
    await deps.contacts.add_pages({**header, "created_at": now}, [{"id": c, "row": r, **x} for c, r, x in fresh])
    if refused:
        values = chunk.values([v.row for v in refused])
        rejected += [_rejection(verdict, row) for verdict, row in zip(refused, values, strict=True)]
        rejected.sort(key=lambda r: int(r["row"]))
    await deps.imports.add_rejections(job_id, rejected)
    again = [(contact_id(ws, campaign_id, contact["phone"]), row, contact) for row, contact in stored_before]
    await publish_contacts(header, sorted(fresh + again, key=lambda c: c[1]) if again else fresh, deps)
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


async def publish_contacts(header: dict[str, str], contacts: list[tuple[str, int, dict[str, Any]]], deps: Deps) -> None:
    """Publish ContactImported for stored (contact id, row, contact) of one import (`header`: workspace,
    campaign and import), each the root of its contact's journey (a redone chunk publishes again:
    consumers deduplicate)."""
    if not contacts:
        return
    roots: list[dict[str, str | int]] = [{"import_id": header["import_id"], "row": row} for _, row, _ in contacts]
    events = contacts_imported(header, contacts, deps.clock.now(), journey_roots("contact imported", roots))
    topic = deps.topics.contacts
    await deps.bus.publish_encoded([(e, topic, c[0]) for e, c in zip(events, contacts, strict=True)])
