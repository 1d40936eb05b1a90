"""The gateway's own guard: authenticate, rate-limit, and check the scope an action takes."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from outreach_common.identity import Scope

from outreach_gateway.handlers.auth import SESSION_COOKIE, Principal

BEARER = {"WWW-Authenticate": "Bearer"}


async def authenticate(request: Request) -> Principal:
    """The caller, or 401; 429 with `Retry-After` past the caller's rate."""
    state = request.app.state
    principal: Principal | None = await state.auth.from_headers(
        request.headers.get("authorization"), request.cookies.get(SESSION_COOKIE)
    )
    if principal is None:
        raise HTTPException(401, "a valid API key or sign-in is required", headers=BEARER)
    wait = state.buckets.take(principal.subject, time.monotonic())
    if wait is not None:
        raise HTTPException(429, "too many requests", headers={"Retry-After": state.buckets.retry_after(wait)})
    return principal


def allow(principal: Principal, scope: Scope) -> None:
    """403 unless the caller holds `scope`."""
    if not principal.allows(scope):
        raise HTTPException(403, f"this action needs the {scope!r} scope or role")


async def admin(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
    """An admin caller (key with the admin scope, or a person with the admin role)."""
    allow(principal, "admin")
    return principal


Current = Annotated[Principal, Depends(authenticate)]
Admin = Annotated[Principal, Depends(admin)]
