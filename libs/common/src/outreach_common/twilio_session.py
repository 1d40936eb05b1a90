"""One Twilio REST client over an asynchronous HTTP session, aimed at Twilio or at a compatible server (the
local simulator): what the dialer's calls and the messenger's texts share."""

from __future__ import annotations

from typing import Self

from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from outreach_common.settings import TwilioServiceSettings


class TwilioSession:
    """`start` opens the session (it needs a running event loop), `client` is the REST client, `close`."""

    def __init__(self, *, account_sid: str, auth_token: str, base_url: str | None) -> None:
        self._credentials = (account_sid, auth_token)
        self._base_url = base_url
        self._http: AsyncTwilioHttpClient | None = None
        self._client: Client | None = None

    @classmethod
    def of(cls, settings: TwilioServiceSettings) -> Self:
        """The session of the account the service's settings name."""
        return cls(
            account_sid=settings.twilio_account_sid,
            auth_token=settings.twilio_auth_token,
            base_url=settings.twilio_base_url,
        )

    async def start(self) -> None:
        """Open the HTTP session and the client."""
        self._http = AsyncTwilioHttpClient()
        self._client = Client(*self._credentials, http_client=self._http)
        if self._base_url:
            self._client.api.base_url = self._base_url.rstrip("/")

    @property
    def client(self) -> Client:
        """The REST client; a RuntimeError before `start`."""
        if self._client is None:
            raise RuntimeError(f"{type(self).__name__} not started")
        return self._client

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()
            self._http = None
