"""A campaign's contacts as the scheduler holds them: state, next due instant (also in the contact's own
time), step, attempt and exit reason."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from outreach_common.identity import REQUIRED, Caller
from outreach_contracts.enrollments import EnrollmentState
from outreach_windows.zones import contact_zones
from pydantic import BaseModel, Field

from outreach_scheduler.domain.enrollment import Enrollment, first_reach
from outreach_scheduler.entrypoints.api import DepsDep, owned_campaign

router = APIRouter(prefix="/campaigns", tags=["campaigns"], dependencies=REQUIRED)


class ContactRow(BaseModel):
    """One contact of a campaign."""

    contact_id: str
    phone: str
    state: EnrollmentState
    step_index: int = Field(description="The step the contact is at (0-based)")
    attempt: int
    due_at: datetime | None = Field(default=None, description="When the next step is due (UTC)")
    due_local: str | None = Field(default=None, description="The same instant in the contact's own time zone")
    timezone: str = Field(description="The zone `due_local` is read in (the contact's, else the fallback)")
    reason: str | None = Field(default=None, description="Why the contact exited or errored")


class ContactPage(BaseModel):
    """A page of contacts; `next` is the `after` of the next page (null at the end)."""

    items: list[ContactRow]
    next: str | None


def _row(e: Enrollment, fallback: str) -> ContactRow:
    zone = (contact_zones(timezone=e.contact.timezone, phone=e.contact.phone) or (fallback,))[0]
    due = e.due_at if e.state == "queued" else None  # only a queued contact has a next step due
    return ContactRow(
        contact_id=e.contact_id,
        phone=e.contact.phone,
        state=e.state,
        step_index=e.step_index,
        attempt=e.attempt,
        due_at=due,
        due_local=due.astimezone(ZoneInfo(zone)).isoformat(timespec="minutes") if due else None,
        timezone=zone,
        reason=e.reason,
    )


@router.get("/{campaign_id}/contacts", summary="List a campaign's contacts and their states")
async def list_contacts(
    campaign_id: str,
    deps: DepsDep,
    who: Caller,
    state: Annotated[list[EnrollmentState] | None, Query(description="Only these states")] = None,
    after: Annotated[str | None, Query(description="The `next` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> ContactPage:
    """The campaign's contacts in contact order, with their stored state."""
    campaign = await owned_campaign(campaign_id, deps, who)
    states = tuple(state) if state else None
    rows = await deps.enrollments.page(campaign_id, states=states, after=after, limit=limit)
    fallback = campaign.spec.window.timezone.fallback
    return ContactPage(
        items=[_row(e, fallback) for e in rows], next=rows[-1].contact_id if len(rows) == limit else None
    )


class FirstReachRow(BaseModel):
    """When one queued contact would be reached first, on the campaign's current window and flow."""

    contact_id: str
    phone: str
    first_at: datetime | None = Field(description="The instant (UTC); null when no instant is eligible")
    first_local: str | None = Field(description="The same instant in the contact's own time zone")
    timezone: str = Field(description="The zone `first_local` is read in (the contact's, else the fallback)")


@router.get("/{campaign_id}/first-reach", summary="When a sample of queued contacts would first be reached")
async def sample_first_reach(
    campaign_id: str, deps: DepsDep, who: Caller, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> list[FirstReachRow]:
    """For the first `limit` queued contacts: their first step's earliest eligible instant from now (or from
    the scheduled start), computed with the window and flow as saved now, so an edit shows at once."""
    campaign = await owned_campaign(campaign_id, deps, who)
    now = deps.clock.now()
    start = max(now, campaign.starts_at) if campaign.status == "scheduled" and campaign.starts_at else now
    rows = await deps.enrollments.page(campaign_id, states=("queued",), after=None, limit=limit)
    fallback = campaign.spec.window.timezone.fallback
    found = []
    for e in rows:
        row = _row(e, fallback)
        at = first_reach(e, campaign.spec, start=start)
        local = at.astimezone(ZoneInfo(row.timezone)).isoformat(timespec="minutes") if at else None
        found.append(
            FirstReachRow(
                contact_id=e.contact_id, phone=e.contact.phone, first_at=at, first_local=local, timezone=row.timezone
            )
        )
    return found
