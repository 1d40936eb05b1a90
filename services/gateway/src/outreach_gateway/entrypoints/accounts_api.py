"""The gateway's own API: workspaces (bootstrap), sign-in and the audit log (keys and people have their own
routers)."""

from __future__ import annotations

import hmac
import time
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from outreach_common import cursors
from outreach_common.errors import CONFLICT

from outreach_gateway.adapters.accounts import EmailTakenError
from outreach_gateway.domain.credentials import digest
from outreach_gateway.domain.ratelimit import Buckets
from outreach_gateway.entrypoints.account_schemas import SignIn, WorkspaceIn, WorkspaceView, account_deps, person_view
from outreach_gateway.entrypoints.guard import Admin, Current
from outreach_gateway.entrypoints.views import AuditPage
from outreach_gateway.handlers import accounts
from outreach_gateway.handlers.auth import SESSION_COOKIE

router = APIRouter(prefix="/api/v1")


@router.post(
    "/workspaces",
    status_code=201,
    tags=["workspaces"],
    summary="Create a workspace (bootstrap token)",
    responses={401: {"description": "No valid bootstrap token"}, **CONFLICT},
)
async def create_workspace(
    body: WorkspaceIn, request: Request, x_bootstrap_token: Annotated[str, Header()] = ""
) -> dict[str, str]:
    """Authorised by the gateway's bootstrap token; returns the workspace id and an admin API key (shown once)."""
    expected = request.app.state.settings.bootstrap_token
    if not x_bootstrap_token or not hmac.compare_digest(x_bootstrap_token, expected):
        raise HTTPException(401, "a valid X-Bootstrap-Token is required")
    try:
        workspace_id, key = await accounts.create_workspace(
            account_deps(request), name=body.name, admin_email=body.admin_email, admin_password=body.admin_password
        )
    except EmailTakenError as exc:
        raise HTTPException(409, "that email already signs in to a workspace") from exc
    return {"workspace_id": workspace_id, "api_key": key}


@router.get(
    "/workspace", response_model=WorkspaceView, tags=["workspaces"], summary="The caller's workspace and identity"
)
async def current_workspace(request: Request, who: Current) -> dict[str, Any]:
    """Workspace id and name, who is calling and what they may do."""
    workspace = await account_deps(request).accounts.workspace(who.workspace_id) or {}
    return {
        "workspace_id": who.workspace_id,
        "name": workspace.get("name"),
        "subject": who.subject,
        "scopes": who.scopes,
    }


@router.post(
    "/auth/login",
    tags=["sign-in"],
    summary="Sign in with email and password (sets a session cookie)",
    responses={401: {"description": "Wrong email or password"}, 429: {"description": "Too many attempts"}},
)
async def login(body: SignIn, request: Request, response: Response) -> dict[str, Any]:
    """401 for a wrong email or password (the same answer for both); 429 past the sign-in rate of an email."""
    wait = request.app.state.sign_ins.take(body.email, time.monotonic())
    if wait is not None:
        raise HTTPException(429, "too many sign-in attempts", headers={"Retry-After": Buckets.retry_after(wait)})
    result = await accounts.sign_in(account_deps(request), email=body.email, password=body.password)
    if result is None:
        raise HTTPException(401, "wrong email or password")
    token, person = result
    settings = request.app.state.settings
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_ttl_h * 3600),
        httponly=True,
        secure=settings.environment != "development",
        samesite="strict",
        path="/",
    )
    return person_view(person)


@router.post("/auth/logout", status_code=204, tags=["sign-in"], summary="Sign out")
async def logout(request: Request, response: Response) -> None:
    """Ends the session of the cookie, if any."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await account_deps(request).credentials.end_session(digest(token))
        request.app.state.auth.forget()
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/audit", response_model=AuditPage, tags=["audit"], summary="The audit log: who changed what, when")
async def audit(
    request: Request,
    who: Admin,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    after: Annotated[str | None, Query(description="`next` of the previous page")] = None,
) -> dict[str, Any]:
    """Newest first; pass `next` back as `after` for the next page."""
    docs = await account_deps(request).audit.page(who.workspace_id, after=cursors.decode(after), limit=limit)
    items = [{"id": d["_id"], **{k: v for k, v in d.items() if k not in ("_id", "workspace_id")}} for d in docs]
    following = cursors.encode(docs[-1]["at"], docs[-1]["_id"]) if len(docs) == limit else None
    return {"items": items, "next": following}
