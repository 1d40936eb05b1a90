"""The identity the gateway forwards to every service: short-lived, signed (HMAC-SHA256), verified here.

A service trusts nothing else about who is calling: its workspace, what it may do and who it is come only
from a token that carries a valid signature by a current (or the previous, while rotating) identity secret
and has not expired.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

HEADER = "X-Outreach-Identity"
Scope = Literal["read", "write", "admin"]
Role = Literal["admin", "operator", "viewer"]
ROLE_SCOPES: dict[str, tuple[Scope, ...]] = {
    "admin": ("read", "write", "admin"),
    "operator": ("read", "write"),
    "viewer": ("read",),
}
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Identity(BaseModel):
    """Who is calling, for which workspace, allowed what."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    workspace_id: str = Field(min_length=1, description="The workspace every lookup and list is bound to")
    subject: str = Field(min_length=1, description="`key:<id>` or `person:<id>`")
    scopes: tuple[Scope, ...] = Field(description="What the caller may do")
    exp: float = Field(description="Expiry, Unix seconds")

    def allows(self, scope: Scope) -> bool:
        """True when the caller holds `scope`."""
        return scope in self.scopes


def expand(scopes: Sequence[str]) -> tuple[Scope, ...]:
    """Scopes with what they imply (admin implies write, write implies read), in a fixed order."""
    have = set(scopes)
    if "admin" in have:
        have |= {"write", "read"}
    if "write" in have:
        have.add("read")
    order: tuple[Scope, ...] = ("read", "write", "admin")
    return tuple(s for s in order if s in have)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest())


def sign(identity: Identity, secret: str) -> str:
    """`payload.signature`, both base64url."""
    payload = _b64(json.dumps(identity.model_dump(), separators=(",", ":")).encode())
    return f"{payload}.{_mac(secret, payload)}"


def mint(workspace_id: str, subject: str, scopes: Sequence[str], secret: str, *, ttl_s: float = 60.0) -> str:
    """A signed identity valid for `ttl_s` seconds."""
    identity = Identity(workspace_id=workspace_id, subject=subject, scopes=expand(scopes), exp=time.time() + ttl_s)
    return sign(identity, secret)


class IdentityError(Exception):
    """The token is missing, malformed, forged or expired."""


def verify(token: str, secrets: Sequence[str], *, now: float | None = None) -> Identity:
    """The identity in `token` when one of `secrets` signed it and it has not expired."""
    payload, _, mac = token.partition(".")
    if not payload or not mac:
        raise IdentityError("malformed identity")
    if not any(s and hmac.compare_digest(mac, _mac(s, payload)) for s in secrets):
        raise IdentityError("identity signature does not verify")
    try:
        identity = Identity.model_validate_json(_unb64(payload))
    except (ValidationError, ValueError) as exc:
        raise IdentityError("malformed identity") from exc
    if identity.exp < (time.time() if now is None else now):
        raise IdentityError("identity expired")
    return identity


def caller(request: Request) -> Identity:
    """The verified identity of a management request: 401 without a valid one, 403 for a write without the
    `write` scope. The secrets are the app settings' `identity_secrets`."""
    token = request.headers.get(HEADER)
    if not token:
        raise HTTPException(401, "no identity: call through the gateway")
    try:
        identity = verify(token, request.app.state.settings.identity_secrets)
    except IdentityError as exc:
        raise HTTPException(401, str(exc)) from exc
    if request.method not in READ_METHODS and not identity.allows("write"):
        raise HTTPException(403, "this key or role may only read")
    return identity


Caller = Annotated[Identity, Depends(caller)]
REQUIRED = [Depends(caller)]
