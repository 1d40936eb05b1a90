"""Twilio through the official SDK (async), pointed at the simulator when a base URL is configured."""

from __future__ import annotations

from typing import Any, Protocol

from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client


class CallProvider(Protocol):
    """Creates outbound calls."""

    async def create_call(
        self,
        *,
        to: str,
        from_: str,
        url: str,
        status_callback: str,
        machine_detection: str | None,
        params: dict[str, str],
    ) -> str:
        """Create a call; return the provider's call sid."""
        ...


class TwilioProvider:
    """The Twilio REST API via `twilio.rest.Client`."""

    def __init__(self, *, account_sid: str, auth_token: str, base_url: str | None) -> None:
        self._credentials = (account_sid, auth_token)
        self._base_url = base_url
        self._http: AsyncTwilioHttpClient | None = None
        self._client: Client | None = None

    async def start(self) -> None:
        """Open the HTTP session (needs a running event loop)."""
        self._http = AsyncTwilioHttpClient()
        self._client = Client(*self._credentials, http_client=self._http)
        if self._base_url:
            self._client.api.base_url = self._base_url.rstrip("/")

    async def create_call(
        self,
        *,
        to: str,
        from_: str,
        url: str,
        status_callback: str,
        machine_detection: str | None,
        params: dict[str, str],
    ) -> str:
        """Create a call with status callbacks for every progress event."""
        kwargs: dict[str, Any] = {
            "to": to,
            "from_": from_,
            "url": _with_params(url, params),
            "status_callback": status_callback,
            "status_callback_event": ["initiated", "ringing", "answered", "completed"],
            "status_callback_method": "POST",
            "timeout": 25,
        }
        if machine_detection and machine_detection != "off":
            if machine_detection == "async":
                kwargs.update(machine_detection="DetectMessageEnd", async_amd=True)
            else:
                kwargs["machine_detection"] = machine_detection
        if self._client is None:
            raise RuntimeError("provider not started")
        call = await self._client.calls.create_async(**kwargs)
        return str(call.sid)

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()


def _with_params(url: str, params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    if not params:
        return url
    return url + ("&" if "?" in url else "?") + urlencode(params)
