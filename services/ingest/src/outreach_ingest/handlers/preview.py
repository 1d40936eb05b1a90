"""Launch preview: how many of a campaign's contacts will be skipped, and why."""

from __future__ import annotations

from typing import Any

from outreach_ingest.adapters.dnc import SuppressionRepository
from outreach_ingest.adapters.repository import ContactRepository, ImportRepository


async def launch_preview(
    workspace_id: str,
    campaign_id: str,
    *,
    contacts: ContactRepository,
    imports: ImportRepository,
    dnc: SuppressionRepository,
    page: int = 1000,
) -> dict[str, Any]:
    """ "X of Y contacts will be skipped": Y counts every data row uploaded for the campaign; X splits into
    do-not-call, opted out, invalid and duplicate, including contacts put on the list after their import."""
    jobs = await imports.for_campaign(workspace_id, campaign_id)
    split = {"do_not_call": 0, "opted_out": 0, "invalid": 0, "duplicate": 0}
    total = 0
    for job in jobs:
        total += int(job.get("rows") or 0)
        split["invalid"] += int(job.get("invalid") or 0)
        split["duplicate"] += int(job.get("duplicates") or 0)
        opted = int(job.get("opted_out") or 0)
        split["opted_out"] += opted
        split["do_not_call"] += int(job.get("suppressed") or 0) - opted
    async for stored in contacts.of_campaign(workspace_id, campaign_id):
        for start in range(0, len(stored), page):
            listed = await dnc.matching(workspace_id, [c["phone"] for c in stored[start : start + page]])
            for source in listed.values():
                split["opted_out" if source.startswith("opt_out") else "do_not_call"] += 1
    skipped = sum(split.values())
    return {
        "campaign_id": campaign_id,
        "total": total,
        "skipped": skipped,
        "will_reach": total - skipped,
        "split": split,
        "imports": [j["_id"] for j in jobs],
        "message": f"{skipped} of {total} contacts will be skipped",
    }
