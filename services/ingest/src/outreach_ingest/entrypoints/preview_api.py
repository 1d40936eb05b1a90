"""Launch preview API: what share of a campaign's contacts will be skipped, and why."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from outreach_common.identity import REQUIRED, Caller

from outreach_ingest.handlers.preview import launch_preview

router = APIRouter(prefix="/campaigns", tags=["launch preview"], dependencies=REQUIRED)


@router.get("/{campaign_id}/preview", summary='"X of Y contacts will be skipped", split by reason')
async def campaign_preview(campaign_id: str, request: Request, who: Caller) -> dict[str, Any]:
    """Counts over every import of the campaign; contacts put on the do-not-call list (or that opted out)
    after their import count as skipped too."""
    deps = request.app.state.deps
    return await launch_preview(
        who.workspace_id,
        campaign_id,
        contacts=deps.contacts,
        imports=deps.imports,
        dnc=deps.dnc,
    )
