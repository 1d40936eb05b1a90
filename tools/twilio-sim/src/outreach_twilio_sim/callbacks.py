"""Signed status callbacks, as Twilio sends them (form-encoded, `X-Twilio-Signature`)."""

from __future__ import annotations

import logging

import httpx
from twilio.request_validator import RequestValidator

logger = logging.getLogger(__name__)


class CallbackSender:
    """Posts form callbacks signed with the account's auth token."""

    def __init__(self, auth_token: str) -> None:
        self._validator = RequestValidator(auth_token)
        self._http = httpx.AsyncClient(timeout=10.0)

    async def send(self, url: str, params: dict[str, str]) -> int:
        """POST `params` to `url`; return the status code (0 when unreachable)."""
        signature = self._validator.compute_signature(url, params)
        try:
            response = await self._http.post(url, data=params, headers={"X-Twilio-Signature": signature})
        except httpx.HTTPError:
            logger.warning("callback to %s failed", url)
            return 0
        return response.status_code

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()
