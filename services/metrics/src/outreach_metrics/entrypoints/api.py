"""The overview API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

router = APIRouter(prefix="/campaigns", tags=["overview"])


@router.get("", summary="Campaigns with their status and counts")
async def list_overviews(request: Request) -> list[dict[str, Any]]:
    """Every campaign seen, with its overview."""
    projector = request.app.state.projector
    return [await projector.view(cid) for cid in await projector.campaign_ids()]


@router.get("/{campaign_id}/overview", summary="Overview of one campaign")
async def overview(campaign_id: str, request: Request) -> dict[str, Any]:
    """Total, queued, active, errored, exited (by reason), completed, funnel and status."""
    result: dict[str, Any] = await request.app.state.projector.view(campaign_id)
    return result
