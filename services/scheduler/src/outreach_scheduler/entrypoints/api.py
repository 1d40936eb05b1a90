"""The scheduler's HTTP API: campaign CRUD and lifecycle."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.exception_handlers import http_exception_handler
from outreach_common import cursors
from outreach_common.errors import CONFLICT, unprocessable, unprocessable_all
from outreach_common.identity import REQUIRED, Caller
from outreach_contracts.calls import NumberSelection
from outreach_contracts.envelope import UtcDatetime
from outreach_contracts.window import ContactWindow
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from outreach_scheduler.domain.campaign import Campaign, CampaignSpec, ExitCriteria, Step, template_problems
from outreach_scheduler.handlers.deps import Deps
from outreach_scheduler.handlers.lifecycle import (
    create_campaign,
    edit_campaign,
    pause_campaign,
    resume_campaign,
    start_campaign,
    stop_campaign,
)


def get_deps(request: Request) -> Deps:
    """The wired dependencies (set on the app in bootstrap)."""
    deps: Deps = request.app.state.deps
    return deps


DepsDep = Annotated[Deps, Depends(get_deps)]


class StartRequest(BaseModel):
    """Start now (no `at`) or at a future instant."""

    at: UtcDatetime | None = Field(default=None, description="When to start (aware); omitted: now")


class CampaignEdit(BaseModel):
    """Fields to change; omitted ones stay as they are."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    window: ContactWindow | None = None
    flow: list[Step] | None = None
    numbers: NumberSelection | None = None
    exit_criteria: ExitCriteria | None = None


router = APIRouter(prefix="/campaigns", tags=["campaigns"], dependencies=REQUIRED)


def _checked(spec: CampaignSpec) -> CampaignSpec:
    """The spec, or 422 naming each step template that is not allowed (its path in the flow)."""
    problems = template_problems(spec.flow)
    if problems:
        raise unprocessable_all((["body", "flow", *path], msg) for path, msg in problems)
    return spec


async def owned_campaign(campaign_id: str, deps: Deps, who: Caller) -> Campaign:
    """The campaign when it belongs to the caller's workspace; another workspace's is a 404 like a missing one."""
    campaign = await deps.campaigns.get(campaign_id)
    if campaign is None or campaign.workspace_id != who.workspace_id:
        raise HTTPException(404, f"campaign {campaign_id} not found")
    return campaign


@router.post("", status_code=201, summary="Create a draft campaign")
async def create(body: CampaignSpec, deps: DepsDep, who: Caller) -> Campaign:
    """Validate and store a campaign as a draft, in the caller's workspace."""
    return await create_campaign(_checked(body), workspace_id=who.workspace_id, deps=deps)


@router.get("", summary="List campaigns")
async def list_campaigns(
    deps: DepsDep,
    who: Caller,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    after: Annotated[str | None, Query(description="The `X-Next-Cursor` of the previous page")] = None,
) -> list[Campaign]:
    """The workspace's campaigns, newest first; when there may be more, the `X-Next-Cursor` header is the
    `after` of the next page."""
    campaigns = await deps.campaigns.recent(workspace_id=who.workspace_id, limit=limit, after=cursors.decode(after))
    if len(campaigns) == limit:
        response.headers["X-Next-Cursor"] = cursors.encode(campaigns[-1].created_at, campaigns[-1].id)
    return campaigns


@router.get("/{campaign_id}", summary="Get a campaign")
async def get(campaign_id: str, deps: DepsDep, who: Caller) -> Campaign:
    """One campaign."""
    return await owned_campaign(campaign_id, deps, who)


@router.patch("/{campaign_id}", summary="Edit a campaign", responses=CONFLICT)
async def edit(campaign_id: str, body: CampaignEdit, deps: DepsDep, who: Caller) -> Campaign:
    """Edit a draft, scheduled or paused campaign freely.

    While a campaign is active, edits apply to steps not yet dispatched: a queued step keeps the due instant
    it already has and goes out as the edited step; steps in flight finish as they were sent. Stopped and
    completed campaigns cannot be edited (409).
    """
    campaign = await owned_campaign(campaign_id, deps, who)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    try:
        spec = _checked(CampaignSpec.model_validate({**campaign.spec.model_dump(), **changes}))
    except ValidationError as exc:  # the edit is valid alone but not with the rest of the campaign
        raise unprocessable_all((["body", *e["loc"]], e["msg"]) for e in exc.errors()) from exc
    return await edit_campaign(campaign, spec, deps)


@router.post("/{campaign_id}/start", summary="Start now or schedule a start", responses=CONFLICT)
async def start(campaign_id: str, deps: DepsDep, who: Caller, body: StartRequest | None = None) -> Campaign:
    """Start the campaign now, or at `at` when it is in the future; a start in the past is rejected."""
    at: datetime | None = body.at if body else None
    if at is not None and at < deps.clock.now():
        raise unprocessable((["body", "at"], "start must not be in the past"))
    return await start_campaign(await owned_campaign(campaign_id, deps, who), at=at, deps=deps)


@router.post("/{campaign_id}/pause", summary="Pause (no new dispatch; in-flight steps finish)", responses=CONFLICT)
async def pause(campaign_id: str, deps: DepsDep, who: Caller) -> Campaign:
    """Pause an active campaign."""
    return await pause_campaign(await owned_campaign(campaign_id, deps, who), deps)


@router.post("/{campaign_id}/resume", summary="Resume a paused campaign", responses=CONFLICT)
async def resume(campaign_id: str, deps: DepsDep, who: Caller) -> Campaign:
    """Resume; steps that fell due during the pause go out through the paced dispatcher."""
    return await resume_campaign(await owned_campaign(campaign_id, deps, who), deps)


@router.post("/{campaign_id}/stop", summary="Stop (terminal; future steps cancelled)", responses=CONFLICT)
async def stop(campaign_id: str, deps: DepsDep, who: Caller) -> Campaign:
    """Stop the campaign; open enrollments exit with reason `stopped`."""
    return await stop_campaign(await owned_campaign(campaign_id, deps, who), deps)


async def refused_transition(request: Request, exc: Exception) -> Response:
    """A lifecycle transition the campaign's status does not allow (or a concurrent change): 409."""
    return await http_exception_handler(request, HTTPException(409, str(exc)))
