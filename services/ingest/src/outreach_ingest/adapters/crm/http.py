"""HTTP to a CRM: retries on 429 and 5xx after the wait the CRM asks for (`Retry-After`), a pause before the
request that would exceed the budget the CRM's rate-limit headers announce, and refusals turned into a
`CrmConnectionError` that says why (revoked token, missing scope, wrong base URL) instead of a traceback."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt
from tenacity.wait import wait_base


class CrmConnectionError(Exception):
    """The CRM refused the connection's credentials or settings; `reason` is for the person who set it up."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class CrmRefusedError(Exception):
    """The CRM refused one request for good (a 4xx other than 401, 403 and 429): not worth retrying."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


class _BusyError(Exception):
    """429 or 5xx: try again after `after` seconds."""

    def __init__(self, status: int, after: float) -> None:
        super().__init__(f"CRM answered {status}")
        self.status = status
        self.after = after


class _WaitAsAsked(wait_base):
    """Tenacity's wait: what the CRM asked for, else exponential from half a second (at most 30 s)."""

    def __call__(self, retry_state: Any) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, _BusyError) and exc.after > 0:
            return min(exc.after, 120.0)
        return float(min(0.5 * 2 ** (retry_state.attempt_number - 1), 30.0))


@dataclass
class Pace:
    """The request rate the CRM's headers announce (`most` requests per `interval_s`), kept by spacing
    requests evenly a little under it; a `remaining` of zero holds the next request back a little more."""

    most: int | None = None
    interval_s: float = 0.0
    remaining: int | None = None
    next_at: float = 0.0  # time.monotonic() before which the next request waits

    def gap(self) -> float:
        return self.interval_s / self.most / 0.98 if self.most else 0.0


# headers -> (requests allowed per window, the window in seconds, requests left in it); None when not said
Limits = Callable[[httpx.Headers], tuple[int | None, float | None, int | None]]


def retry_after(headers: httpx.Headers) -> float:
    """Seconds from a `Retry-After` header (a number of seconds; dates are not used by these CRMs)."""
    try:
        return max(float(headers.get("Retry-After", "0")), 0.0)
    except ValueError:
        return 1.0


def explain(response: httpx.Response, crm: str) -> CrmConnectionError:
    """A 401 or 403 in words."""
    text = response.text[:300]
    lowered = text.lower()
    if response.status_code == 401:
        if "expired" in lowered:
            return CrmConnectionError(f"{crm}: the access token expired and could not be refreshed", status=401)
        return CrmConnectionError(f"{crm}: the token was refused (revoked or wrong): {text}", status=401)
    if "scope" in lowered:
        return CrmConnectionError(f"{crm}: the token lacks a scope this needs: {text}", status=403)
    return CrmConnectionError(f"{crm}: access refused: {text}", status=403)


class CrmHttp:
    """One CRM's HTTP client: `request` retries what can be retried and keeps within the announced budget."""

    def __init__(
        self,
        *,
        crm: str,
        base_url: str,
        auth: Callable[[], Awaitable[dict[str, str]]],
        limits: Limits | None = None,
        headers: dict[str, str] | None = None,
        attempts: int = 8,
        client: httpx.AsyncClient | None = None,
        reauth: Callable[[], Awaitable[bool]] | None = None,
    ) -> None:
        self.crm = crm
        self._auth = auth
        self._reauth = reauth  # new credentials after a 401 (an OAuth token revoked early): True when renewed
        self._limits = limits
        self._pace = Pace()
        self._attempts = attempts
        self._client = client or httpx.AsyncClient(base_url=base_url, headers=headers or {}, timeout=30.0)
        self.requests = 0  # sent, retries included (the sync report and the benchmark read it)
        self.last_headers: httpx.Headers | None = None  # of the last answer (CRM-specific limits)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def request(self, method: str, url: str, **kwargs: Any) -> Any:
        """The JSON answer of one request (None when empty), after retries."""
        retrying = AsyncRetrying(
            retry=retry_if_exception_type((_BusyError, httpx.TransportError)),
            wait=_WaitAsAsked(),
            stop=stop_after_attempt(self._attempts),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                try:
                    return await self._once(method, url, **kwargs)
                except CrmConnectionError as exc:
                    if exc.status != 401 or self._reauth is None or not await self._reauth():
                        raise
                    return await self._once(method, url, **kwargs)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _once(self, method: str, url: str, **kwargs: Any) -> Any:
        await self._within_budget()
        headers = {**kwargs.pop("headers", {}), **await self._auth()}
        self.requests += 1
        response = await self._client.request(method, url, headers=headers, **kwargs)
        self._learn(response.headers)
        self.last_headers = response.headers
        status = response.status_code
        if status == 429 or status >= 500:
            raise _BusyError(status, retry_after(response.headers))
        if status == 403 and "REQUEST_LIMIT_EXCEEDED" in response.text:  # Salesforce's daily limit: not the token
            raise CrmRefusedError(403, f"{self.crm}: the org's API request limit is spent: {response.text[:200]}")
        if status in (401, 403):
            raise explain(response, self.crm)
        if status >= 400:
            raise CrmRefusedError(status, response.text[:500])
        return response.json() if response.content else None

    def _learn(self, headers: httpx.Headers) -> None:
        if self._limits is None:
            return
        most, interval_s, remaining = self._limits(headers)
        pace = self._pace
        if most and interval_s:
            pace.most, pace.interval_s = most, interval_s
        pace.remaining = remaining
        if remaining is not None and remaining <= 0:
            # the window is full: a rolling window frees about one request a gap (waiting out the whole
            # interval stalled a 100,000-contact sync for 10 s every 20 s); a 429 still waits as told
            pace.next_at = max(pace.next_at, time.monotonic() + 2 * pace.gap())

    async def _within_budget(self) -> None:
        """Space requests by the announced rate (one at a time per connection); wait out a spent window."""
        pace = self._pace
        now = time.monotonic()
        slot = max(pace.next_at, now)  # taken before waiting: concurrent requests queue up behind it
        pace.next_at = slot + pace.gap()
        if slot > now:
            await asyncio.sleep(slot - now)
