"""OAuth 2.0 tokens of a CRM: a token endpoint's answer to an authorization code or a refresh token, and an
access token kept fresh (refreshed a minute before it expires, the new tokens sealed back at once, since some
CRMs, GoHighLevel among them, take each refresh token only once)."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from outreach_ingest.adapters.crm.connector import Connector
from outreach_ingest.adapters.crm.http import CrmConnectionError, CrmHttp, Limits

Save = Callable[[dict[str, Any]], Awaitable[None]]


async def token_request(url: str, form: dict[str, str], *, crm: str, keep: tuple[str, ...] = ()) -> dict[str, Any]:
    """`POST` the form to the token endpoint `url`: the access token, when it expires, the refresh token (the
    new one, else the one sent), and the answer's fields named in `keep`; a CrmConnectionError when refused."""
    async with httpx.AsyncClient(timeout=30) as client:
        answer = await client.post(url, data=form, headers={"Accept": "application/json"})
    if answer.status_code != 200:
        raise CrmConnectionError(f"{crm} refused the OAuth grant: {answer.text[:200]}", status=answer.status_code)
    token = answer.json()
    found: dict[str, Any] = {"access_token": token["access_token"], **{k: token[k] for k in keep if token.get(k)}}
    if token.get("expires_in"):
        found["expires_at"] = time.time() + float(token["expires_in"])
    if token.get("refresh_token") or form.get("refresh_token"):
        found["refresh_token"] = token.get("refresh_token") or form["refresh_token"]
    return found


class FreshToken:
    """A connection's access token: a private token as it is, an OAuth token refreshed before it expires."""

    def __init__(
        self,
        secrets: dict[str, Any],
        *,
        crm: str,
        token_url: str,
        client: dict[str, str] | None = None,
        save: Save | None = None,
        keep: tuple[str, ...] = (),
    ) -> None:
        self.secrets = secrets
        self._crm, self._url, self._client, self._save, self._keep = crm, token_url, client or {}, save, keep
        self._lock = asyncio.Lock()
        self._renewed_at = -math.inf  # time.monotonic() of the last refresh

    def _stale(self) -> bool:
        return "refresh_token" in self.secrets and self.secrets.get("expires_at", math.inf) < time.time() + 60

    async def access_token(self) -> str:
        """The token to send now (refreshed first when it is about to expire)."""
        if self._stale():
            async with self._lock:  # one refresh for requests sent together: a refresh token may work once
                if self._stale():
                    await self.refresh()
        return str(self.secrets["access_token"])

    async def renew(self) -> bool:
        """After a 401: new tokens, unless another request renewed them a moment ago; False without a
        refresh token (a private token is as it is)."""
        if "refresh_token" not in self.secrets:
            return False
        async with self._lock:
            if time.monotonic() - self._renewed_at > 5:
                await self.refresh()
        return True

    async def refresh(self) -> None:
        """New tokens from the refresh token, kept (sealed) before they are used."""
        form = {
            "grant_type": "refresh_token",
            "client_id": self._client.get("client_id", ""),
            "client_secret": self._client.get("client_secret", ""),
            "refresh_token": self.secrets["refresh_token"],
        }
        self.secrets.update(await token_request(self._url, form, crm=self._crm, keep=self._keep))
        self._renewed_at = time.monotonic()
        if self._save is not None:
            await self._save(self.secrets)


class TokenConnector(Connector):
    """A connection that sends a bearer token, a private one or an OAuth one kept fresh, built from the stored
    connection: its secrets and its `settings`. A CRM names itself (`crm`), its token endpoint
    (`token_url`), the token answer's fields it keeps (`keep`), the headers every request carries (`headers`)
    and how it reports its rate limits (`limits`)."""

    crm: str
    keep: tuple[str, ...] = ()
    headers: dict[str, str] = {}  # noqa: RUF012 (read only)
    limits: Limits | None = None

    def __init__(
        self,
        secrets: dict[str, Any],
        *,
        base_url: str,
        settings: dict[str, Any] | None = None,
        oauth: dict[str, str] | None = None,
        save: Save | None = None,
    ) -> None:
        self.settings = dict(settings or {})
        url = self.token_url(base_url)
        self.token = FreshToken(dict(secrets), crm=self.crm, token_url=url, client=oauth, save=save, keep=self.keep)
        self.http = CrmHttp(
            crm=self.crm, base_url=base_url, auth=self._auth, limits=self.limits, headers=self.headers,
            reauth=self.token.renew,
        )  # fmt: skip

    @staticmethod
    def token_url(base_url: str) -> str:
        """The CRM's token endpoint (authorization codes and refresh tokens)."""
        raise NotImplementedError

    async def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token.access_token()}"}
