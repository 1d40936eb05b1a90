"""The gateway's own API: workspaces (bootstrap), sign-in, people, API keys and the audit log."""

from __future__ import annotations

import hmac
import time
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from outreach_common import cursors
from outreach_common.errors import CONFLICT
from outreach_common.identity import Role, Scope
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from outreach_gateway.adapters.accounts import EmailTakenError
from outreach_gateway.domain.credentials import digest
from outreach_gateway.domain.ratelimit import Buckets
from outreach_gateway.entrypoints.guard import Admin, Current
from outreach_gateway.handlers import accounts
from outreach_gateway.handlers.auth import SESSION_COOKIE

router = APIRouter(prefix="/api/v1")


def _email(value: str) -> str:
    """A syntactically valid address, lower-cased (reserved domains such as `.test` are fine: teams use them
    for staging)."""
    try:
        return validate_email(value, check_deliverability=False, test_environment=True).normalized.lower()
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc


Email = Annotated[str, Field(max_length=254, examples=["ops@example.com"]), AfterValidator(_email)]
Password = Annotated[str, Field(min_length=8, max_length=200, description="At least 8 characters")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkspaceIn(_In):
    """A new workspace and its first admin."""

    name: str = Field(min_length=1, max_length=200)
    admin_email: Email
    admin_password: Password


class SignIn(_In):
    """Email and password."""

    email: Email
    password: str = Field(min_length=1, max_length=200)


class KeyIn(_In):
    """A new API key."""

    name: str = Field(min_length=1, max_length=100)
    scopes: list[Scope] = Field(min_length=1, description="read, write, admin (each implies the ones before)")


class InviteIn(_In):
    """A person to invite."""

    email: Email
    role: Role


class AcceptIn(_In):
    """An invitation and the password the invited person chose."""

    token: str = Field(min_length=1, max_length=200)
    password: Password


def _deps(request: Request) -> accounts.AccountDeps:
    deps: accounts.AccountDeps = request.app.state.account_deps
    return deps


def _key(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if k not in ("_id", "digest")}}


def _person(doc: dict[str, Any]) -> dict[str, Any]:
    public = {"id": doc["_id"], **{k: v for k, v in doc.items() if k not in ("_id", "password", "invitation")}}
    return {**public, "invited": "invitation" in doc}


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
            _deps(request), name=body.name, admin_email=body.admin_email, admin_password=body.admin_password
        )
    except EmailTakenError as exc:
        raise HTTPException(409, "that email already signs in to a workspace") from exc
    return {"workspace_id": workspace_id, "api_key": key}


@router.get("/workspace", tags=["workspaces"], summary="The caller's workspace and identity")
async def current_workspace(request: Request, who: Current) -> dict[str, Any]:
    """Workspace id and name, who is calling and what they may do."""
    workspace = await _deps(request).accounts.workspace(who.workspace_id) or {}
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
    result = await accounts.sign_in(_deps(request), email=body.email, password=body.password)
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
    return _person(person)


@router.post("/auth/logout", status_code=204, tags=["sign-in"], summary="Sign out")
async def logout(request: Request, response: Response) -> None:
    """Ends the session of the cookie, if any."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await _deps(request).credentials.end_session(digest(token))
        request.app.state.auth.forget()
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/keys", tags=["keys"], summary="The workspace's API keys")
async def list_keys(request: Request, who: Admin) -> list[dict[str, Any]]:
    """Name, prefix, scopes, created, last used and revoked times (never the secret)."""
    return [_key(d) for d in await _deps(request).credentials.keys_of(who.workspace_id)]


@router.post("/keys", status_code=201, tags=["keys"], summary="Create an API key (its secret is shown once)")
async def create_key(body: KeyIn, request: Request, who: Admin) -> dict[str, Any]:
    """The key's record with `secret`."""
    doc, secret = await accounts.create_key(
        _deps(request), workspace_id=who.workspace_id, name=body.name, scopes=list(body.scopes), actor=who.subject
    )
    return {**_key(doc), "secret": secret}


async def _own_key(request: Request, key_id: str, workspace_id: str) -> dict[str, Any]:
    doc = await _deps(request).credentials.key(key_id)
    if doc is None or doc["workspace_id"] != workspace_id:
        raise HTTPException(404, f"key {key_id} not found")
    return doc


@router.delete("/keys/{key_id}", tags=["keys"], summary="Revoke an API key")
async def revoke_key(key_id: str, request: Request, who: Admin) -> dict[str, Any]:
    """The key stops working (within the credential cache time on other gateway instances)."""
    deps = _deps(request)
    await _own_key(request, key_id, who.workspace_id)
    now = deps.clock.now()
    await deps.credentials.revoke_key(key_id, at=now)
    request.app.state.auth.forget()
    await deps.audit.record(
        workspace_id=who.workspace_id, actor=who.subject, action="key.revoke", target=key_id, at=now
    )
    return _key(await _own_key(request, key_id, who.workspace_id))


@router.post("/keys/{key_id}/rotate", status_code=201, tags=["keys"], summary="Replace a key by a new one")
async def rotate_key(key_id: str, request: Request, who: Admin) -> dict[str, Any]:
    """A new key with the same name and scopes (secret shown once); the old one is revoked."""
    old = await _own_key(request, key_id, who.workspace_id)
    deps = _deps(request)
    doc, secret = await accounts.create_key(
        deps, workspace_id=who.workspace_id, name=old["name"], scopes=old["scopes"], actor=who.subject
    )
    await deps.credentials.revoke_key(key_id, at=deps.clock.now())
    request.app.state.auth.forget()
    await deps.audit.record(
        workspace_id=who.workspace_id, actor=who.subject, action="key.rotate", target=key_id, at=doc["created_at"]
    )
    return {**_key(doc), "secret": secret}


@router.get("/people", tags=["people"], summary="The workspace's people")
async def list_people(request: Request, who: Admin) -> list[dict[str, Any]]:
    """Email, role and whether the invitation is still open."""
    return [_person(d) for d in await _deps(request).accounts.people_of(who.workspace_id)]


@router.post("/people", status_code=201, tags=["people"], summary="Invite a person", responses=CONFLICT)
async def invite(body: InviteIn, request: Request, who: Admin) -> dict[str, Any]:
    """The person with `invitation_token` (shown once), which they accept with a password of their own."""
    try:
        person, token = await accounts.invite(
            _deps(request), workspace_id=who.workspace_id, email=body.email, role=body.role, actor=who.subject
        )
    except EmailTakenError as exc:
        raise HTTPException(409, "that email already signs in to a workspace") from exc
    return {**_person(person), "invitation_token": token}


@router.post(
    "/people/accept",
    tags=["people"],
    summary="Accept an invitation and set a password",
    responses={404: {"description": "Unknown or used invitation"}},
)
async def accept(body: AcceptIn, request: Request) -> dict[str, Any]:
    """404 when the invitation is unknown or was used."""
    person = await accounts.accept(_deps(request), token=body.token, password=body.password)
    if person is None:
        raise HTTPException(404, "unknown or used invitation")
    return _person({k: v for k, v in person.items() if k != "invitation"})


@router.delete("/people/{person_id}", status_code=204, tags=["people"], summary="Remove a person")
async def remove_person(person_id: str, request: Request, who: Admin) -> None:
    """They are signed out everywhere and can no longer sign in."""
    deps = _deps(request)
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


@router.get("/audit", tags=["audit"], summary="The audit log: who changed what, when")
async def audit(
    request: Request,
    who: Admin,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    after: Annotated[str | None, Query(description="`next` of the previous page")] = None,
) -> dict[str, Any]:
    """Newest first; pass `next` back as `after` for the next page."""
    docs = await _deps(request).audit.page(who.workspace_id, after=cursors.decode(after), limit=limit)
    items = [{"id": d["_id"], **{k: v for k, v in d.items() if k not in ("_id", "workspace_id")}} for d in docs]
    following = cursors.encode(docs[-1]["at"], docs[-1]["_id"]) if len(docs) == limit else None
    return {"items": items, "next": following}
