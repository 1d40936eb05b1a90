"""A body sink for the gateway benchmark: reads every request body to the end and answers with its size."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


async def body_size(receive: Callable[[], Awaitable[Message]]) -> int:
    """Read a request's body to its end; its length in bytes."""
    size, more = 0, True
    while more:
        message = await receive()
        size += len(message.get("body", b""))
        more = message.get("more_body", False)
    return size


async def app(
    scope: Scope, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
) -> None:
    """Raw ASGI: drain the body, answer `{"bytes": n}`."""
    if scope["type"] != "http":
        return
    body = json.dumps({"bytes": await body_size(receive)}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
