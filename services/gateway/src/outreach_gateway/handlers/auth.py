"""Who is calling: an API key (`Authorization: Bearer`) or a person's session cookie, verified against the
gateway's database and cached for a few seconds (so a revoked key stops working within that time)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from outreach_common.clock import Clock
from outreach_common.identity import ROLE_SCOPES, Scope, expand

from outreach_gateway.adapters.credentials import Credentials
from outreach_gateway.domain.credentials import digest, key_id_of

SESSION_COOKIE = "outreach_session"


@dataclass(frozen=True)
class Principal:
    """A verified caller."""

    workspace_id: str
    subject: str  # key:<id> or person:<id>
    scopes: tuple[Scope, ...]

    def allows(self, scope: Scope) -> bool:
        """True when the caller holds `scope`."""
        return scope in self.scopes


class Authenticator:
    """Verifies keys and sessions; keeps what it verified for `cache_s` seconds."""

    def __init__(self, credentials: Credentials, clock: Clock, *, cache_s: float) -> None:
        self.credentials = credentials
        self.clock = clock
        self.cache_s = cache_s
        self._cache: dict[str, tuple[float, Principal | None]] = {}
        self._touched: dict[str, float] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    async def from_headers(self, authorization: str | None, cookie: str | None) -> Principal | None:
        """The caller of a request, or None without a valid credential."""
        if authorization:
            scheme, _, secret = authorization.partition(" ")
            return await self.key(secret.strip()) if scheme.lower() == "bearer" else None
        if cookie:
            return await self.session(cookie)
        return None

    async def key(self, secret: str) -> Principal | None:
        """The principal of an API key that exists, matches its hash and is not revoked."""
        key_id = key_id_of(secret)
        if key_id is None:
            return None

        async def verify(hashed: str) -> Principal | None:
            doc = await self.credentials.key(key_id)
            if doc is None or doc["digest"] != hashed or doc.get("revoked_at") is not None:
                return None
            self._touch(key_id)
            return Principal(doc["workspace_id"], f"key:{key_id}", expand(doc["scopes"]))

        return await self._remembered(secret, verify)

    async def session(self, token: str) -> Principal | None:
        """The principal of a sign-in session that has not expired."""

        async def verify(hashed: str) -> Principal | None:
            doc = await self.credentials.session(hashed)
            if doc is None or doc["expires_at"] <= self.clock.now():
                return None
            return Principal(doc["workspace_id"], f"person:{doc['person_id']}", ROLE_SCOPES[doc["role"]])

        return await self._remembered(token, verify)

    async def _remembered(
        self, credential: str, verify: Callable[[str], Awaitable[Principal | None]]
    ) -> Principal | None:
        """The verdict on a credential (by its hash): the cached one while younger than the cache time,
        else `verify`'s, cached (a refusal too)."""
        hashed = digest(credential)
        hit = self._cache.get(hashed)
        if hit is not None and time.monotonic() - hit[0] < self.cache_s:
            return hit[1]
        principal = await verify(hashed)
        self._cache[hashed] = (time.monotonic(), principal)
        return principal

    def forget(self) -> None:
        """Drop every cached verdict (after a revocation or a removal in this instance)."""
        self._cache.clear()

    def _touch(self, key_id: str) -> None:
        """Record the key's last use, at most once a minute, without holding up the request."""
        now = time.monotonic()
        if now - self._touched.get(key_id, -60.0) < 60.0:
            return
        self._touched[key_id] = now
        task = asyncio.create_task(self.credentials.touch_key(key_id, at=self.clock.now()))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
