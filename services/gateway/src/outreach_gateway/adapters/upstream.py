"""Requests to the services, streamed both ways (a large upload never sits whole in the gateway's memory)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import httpx

# Hop-by-hop headers (RFC 9110 section 7.6.1) and what a client must never pass to a service itself.
DROP_REQUEST = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "authorization",
        "cookie",
        "x-outreach-identity",
        "x-bootstrap-token",
    }
)
DROP_RESPONSE = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade", "set-cookie"}
)


class BodyTooLargeError(Exception):
    """The request body went past the upload limit."""


async def limited(chunks: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    """The body's chunks, stopping with BodyTooLargeError past `limit` bytes."""
    seen = 0
    async for chunk in chunks:
        seen += len(chunk)
        if seen > limit:
            raise BodyTooLargeError(seen)
        yield chunk


class Upstreams:
    """One pooled HTTP client for every service."""

    def __init__(self, urls: Mapping[str, str]) -> None:
        self.urls = dict(urls)
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(connect=5.0, read=600.0, write=600.0, pool=10.0),
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
        )

    async def open(
        self,
        service: str,
        *,
        method: str,
        path: str,
        query: bytes,
        headers: list[tuple[bytes, bytes]],
        extra: Mapping[str, str],
        body: AsyncIterator[bytes] | None,
    ) -> httpx.Response:
        """Send the request and return the response with its body not yet read (close it when done)."""
        kept = [(k, v) for k, v in headers if k.decode("latin-1").lower() not in DROP_REQUEST]
        kept += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in extra.items()]
        url = httpx.URL(self.urls[service] + path, query=query)
        request = self.client.build_request(method, url, headers=kept, content=body)
        return await self.client.send(request, stream=True)

    async def get_json(self, service: str, path: str) -> object:
        """A JSON document of a service (its OpenAPI document)."""
        response = await self.client.get(self.urls[service] + path, timeout=10.0)
        response.raise_for_status()
        return response.json()

    async def close(self) -> None:
        """Close the pool."""
        await self.client.aclose()


def response_headers(response: httpx.Response) -> dict[str, str]:
    """The service's response headers a client should see."""
    return {k: v for k, v in response.headers.items() if k.lower() not in DROP_RESPONSE}
