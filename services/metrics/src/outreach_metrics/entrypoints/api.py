"""The overview API, bound to the caller's workspace."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from outreach_common.identity import REQUIRED, Caller

from outreach_metrics.entrypoints.schemas import Overview

router = APIRouter(tags=["overview"], dependencies=REQUIRED)


@router.get(
    "/overviews", response_model=list[Overview], summary="The workspace's campaigns with their status and counts"
)
async def list_overviews(request: Request, who: Caller) -> list[dict[str, Any]]:
    """Every campaign of the workspace that has started, with its overview."""
    projector = request.app.state.projector
    views = [await projector.view(cid, who.workspace_id) for cid in await projector.campaign_ids(who.workspace_id)]
    return [v for v in views if v is not None]


@router.get("/campaigns/{campaign_id}/overview", response_model=Overview, summary="Overview of one campaign")
async def overview(campaign_id: str, request: Request, who: Caller) -> dict[str, Any]:
    """Total, queued, active, errored, exited (by reason), completed, funnel and status; 404 until the
    campaign has started (its first campaign event)."""
    result: dict[str, Any] | None = await request.app.state.projector.view(campaign_id, who.workspace_id)
    if result is None:
        raise HTTPException(404, f"campaign {campaign_id} not found")
    return result
