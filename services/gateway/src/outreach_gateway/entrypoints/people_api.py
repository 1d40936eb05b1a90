"""The workspace's people: list, invite, accept an invitation, remove (admins only, but accepting)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from outreach_common.errors import CONFLICT

from outreach_gateway.adapters.accounts import EmailTakenError
from outreach_gateway.entrypoints.account_schemas import AcceptIn, InviteIn, account_deps, person_view
from outreach_gateway.entrypoints.guard import Admin
from outreach_gateway.entrypoints.views import PersonInvited, PersonView
from outreach_gateway.handlers import accounts

router = APIRouter(prefix="/api/v1", tags=["people"])


@router.get("/people", response_model=list[PersonView], summary="The workspace's people")
async def list_people(request: Request, who: Admin) -> list[dict[str, Any]]:
    """Email, role and whether the invitation is still open."""
    return [person_view(d) for d in await account_deps(request).accounts.people_of(who.workspace_id)]


@router.post("/people", status_code=201, response_model=PersonInvited, summary="Invite a person", responses=CONFLICT)
async def invite(body: InviteIn, request: Request, who: Admin) -> dict[str, Any]:
    """The person with `invitation_token` (shown once), which they accept with a password of their own."""
    try:
        person, token = await accounts.invite(
            account_deps(request), workspace_id=who.workspace_id, email=body.email, role=body.role, actor=who.subject
        )
    except EmailTakenError as exc:
        raise HTTPException(409, "that email already signs in to a workspace") from exc
    return {**person_view(person), "invitation_token": token}


@router.post(
    "/people/accept",
    response_model=PersonView,
    summary="Accept an invitation and set a password",
    responses={404: {"description": "Unknown or used invitation"}},
)
async def accept(body: AcceptIn, request: Request) -> dict[str, Any]:
    """404 when the invitation is unknown or was used."""
    person = await accounts.accept(account_deps(request), token=body.token, password=body.password)
    if person is None:
        raise HTTPException(404, "unknown or used invitation")
    return person_view({k: v for k, v in person.items() if k != "invitation"})


@router.delete("/people/{person_id}", status_code=204, summary="Remove a person")
async def remove_person(person_id: str, request: Request, who: Admin) -> None:
    """They are signed out everywhere and can no longer sign in."""
    deps = account_deps(request)
    person = await deps.accounts.person(person_id)
    if person is None or person["workspace_id"] != who.workspace_id:
        raise HTTPException(404, f"person {person_id} not found")
    await deps.accounts.remove_person(person)
    await deps.credentials.end_sessions_of(person_id)
    request.app.state.auth.forget()
    now = deps.clock.now()
    await deps.audit.record(
        workspace_id=who.workspace_id, actor=who.subject, action="person.remove", target=person["email"], at=now
    )
