"""Launch preview API: what share of a campaign's contacts will be skipped, and why."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from outreach_common.identity import REQUIRED, Caller

from outreach_ingest.entrypoints.schemas import LaunchPreview
from outreach_ingest.handlers.preview import launch_preview

router = APIRouter(prefix="/campaigns", tags=["launch preview"], dependencies=REQUIRED)


@router.get(
    "/{campaign_id}/preview", response_model=LaunchPreview, summary='"X of Y contacts will be skipped", split by reason'
)
async def campaign_preview(campaign_id: str, request: Request, who: Caller) -> dict[str, Any]:
    """Counts over every import of the campaign; contacts put on the do-not-call list (or that opted out)
    after their import count as skipped too. 404 until contacts were imported into the campaign."""
    deps = request.app.state.deps
    result: dict[str, Any] = await launch_preview(
        who.workspace_id, campaign_id, contacts=deps.contacts, imports=deps.imports, dnc=deps.dnc
    )
    if not result["imports"]:  # ingest knows a campaign by its imports: none in this workspace, nothing to show
        raise HTTPException(404, f"no contacts were imported into campaign {campaign_id} in this workspace")
    return result
