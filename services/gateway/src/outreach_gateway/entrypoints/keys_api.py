"""The workspace's API keys: list, create (the secret shown once), revoke, rotate (admins only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request

from outreach_gateway.entrypoints.account_schemas import KeyIn, account_deps
from outreach_gateway.entrypoints.guard import Admin
from outreach_gateway.entrypoints.views import KeyCreated, KeyView
from outreach_gateway.handlers import accounts

router = APIRouter(prefix="/api/v1", tags=["keys"])


def _key(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["_id"], **{k: v for k, v in doc.items() if k not in ("_id", "digest")}}


@router.get("/keys", response_model=list[KeyView], summary="The workspace's API keys")
async def list_keys(request: Request, who: Admin) -> list[dict[str, Any]]:
    """Name, prefix, scopes, created, last used and revoked times (never the secret)."""
    return [_key(d) for d in await account_deps(request).credentials.keys_of(who.workspace_id)]


@router.post(
    "/keys", status_code=201, response_model=KeyCreated, summary="Create an API key (its secret is shown once)"
)
async def create_key(body: KeyIn, request: Request, who: Admin) -> dict[str, Any]:
    """The key's record with `secret`."""
    doc, secret = await accounts.create_key(
        account_deps(request),
        workspace_id=who.workspace_id,
        name=body.name,
        scopes=list(body.scopes),
        actor=who.subject,
    )
    return {**_key(doc), "secret": secret}


async def _own_key(request: Request, key_id: str, workspace_id: str) -> dict[str, Any]:
    doc = await account_deps(request).credentials.key(key_id)
    if doc is None or doc["workspace_id"] != workspace_id:
        raise HTTPException(404, f"key {key_id} not found")
    return doc


@router.delete("/keys/{key_id}", response_model=KeyView, summary="Revoke an API key")
async def revoke_key(key_id: str, request: Request, who: Admin) -> dict[str, Any]:
    """The key stops working (within the credential cache time on other gateway instances)."""
    deps = account_deps(request)
    await _own_key(request, key_id, who.workspace_id)
    now = deps.clock.now()
    await deps.credentials.revoke_key(key_id, at=now)
    request.app.state.auth.forget()
    await deps.audit.record(
        workspace_id=who.workspace_id, actor=who.subject, action="key.revoke", target=key_id, at=now
    )
    return _key(await _own_key(request, key_id, who.workspace_id))


@router.post("/keys/{key_id}/rotate", status_code=201, response_model=KeyCreated, summary="Replace a key by a new one")
async def rotate_key(key_id: str, request: Request, who: Admin) -> dict[str, Any]:
    """A new key with the same name and scopes (secret shown once); the old one is revoked."""
    old = await _own_key(request, key_id, who.workspace_id)
    deps = account_deps(request)
    doc, secret = await accounts.create_key(
        deps, workspace_id=who.workspace_id, name=old["name"], scopes=old["scopes"], actor=who.subject
    )
    await deps.credentials.revoke_key(key_id, at=deps.clock.now())
    request.app.state.auth.forget()
    await deps.audit.record(
        workspace_id=who.workspace_id, actor=who.subject, action="key.rotate", target=key_id, at=doc["created_at"]
    )
    return {**_key(doc), "secret": secret}
