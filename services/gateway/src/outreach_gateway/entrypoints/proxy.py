"""The public API of the services and the provider webhooks, passed through to the service that owns each
path: authenticated, scope-checked, rate-limited, stamped with a signed identity, streamed both ways."""

from __future__ import annotations

import time
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from outreach_common.identity import HEADER, READ_METHODS, mint
from starlette.background import BackgroundTask
from starlette.convertors import Convertor, register_url_convertor

from outreach_gateway.adapters.upstream import BodyTooLargeError, UpstreamUnavailableError, limited, response_headers
from outreach_gateway.domain.access import API_PREFIX, SERVICE_PATHS, required_scope, service_for, webhook_service
from outreach_gateway.entrypoints.guard import allow, authenticate
from outreach_gateway.handlers.auth import Principal

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
SMALL_BODY = 256 * 1024  # a body up to this size is passed on whole; a larger one (a CSV report) streams


def _identity(request: Request, principal: Principal) -> str:
    """A signed identity for the caller, reused while more than half of its lifetime is left."""
    state = request.app.state
    ttl = state.settings.identity_ttl_s
    cached = state.identities.get(principal)
    if cached is not None and cached[0] > time.monotonic():
        return str(cached[1])
    token = mint(principal.workspace_id, principal.subject, principal.scopes, state.settings.identity_secret, ttl_s=ttl)
    state.identities[principal] = (time.monotonic() + ttl / 2, token)
    return token


def _raw_path(request: Request) -> str:
    """The path as the client sent it (still percent-encoded), so what reaches the service is byte for byte
    what was asked for."""
    raw = request.scope.get("raw_path")
    return raw.decode("ascii", "replace") if isinstance(raw, bytes) else request.url.path


def _too_large(request: Request) -> bool:
    length = request.headers.get("content-length")
    return length is not None and length.isdigit() and int(length) > request.app.state.settings.max_upload_bytes


async def _forward(
    request: Request, service: str, path: str, extra: dict[str, str], principal: Principal | None
) -> Response:
    state = request.app.state
    if _too_large(request):
        return JSONResponse({"detail": "the request body is larger than the upload limit"}, status_code=413)
    has_body = "content-length" in request.headers or "transfer-encoding" in request.headers
    body = limited(request.stream(), state.settings.max_upload_bytes) if has_body else None
    try:
        upstream = await state.upstreams.open(
            service,
            method=request.method,
            path=path,
            query=request.url.query.encode(),
            headers=request.headers.raw,
            extra=extra,
            body=body,
        )
    except BodyTooLargeError:
        return JSONResponse({"detail": "the request body is larger than the upload limit"}, status_code=413)
    except UpstreamUnavailableError as exc:
        if exc.timed_out:
            return JSONResponse({"detail": f"{service} did not answer in time"}, status_code=504)
        return JSONResponse({"detail": f"{service} is unavailable"}, status_code=502)

    async def finish() -> None:
        upstream.release()
        if principal is not None and request.method not in READ_METHODS and upstream.status < 400:
            await state.audit.record(
                workspace_id=principal.workspace_id,
                actor=principal.subject,
                action=f"{request.method} {request.url.path}",
                target=request.url.path.removeprefix(API_PREFIX),
                at=state.clock.now(),
                status=upstream.status,
            )

    headers = response_headers(upstream)
    length = upstream.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) <= SMALL_BODY:  # most answers: read at once
        answer = await upstream.read()  # (undecoded: the session does not decompress)
        return Response(answer, status_code=upstream.status, headers=headers, background=BackgroundTask(finish))
    return StreamingResponse(
        upstream.content.iter_any(), status_code=upstream.status, headers=headers, background=BackgroundTask(finish)
    )


async def api(request: Request) -> Response:
    """`/api/v1/<path>` of a service: 401 without a valid key or session, 403 without the scope, 404 for a
    path no service owns."""
    path = "/" + request.path_params["path"]
    principal = await authenticate(request)  # first: without a credential, not even which paths exist
    service = service_for(path)
    if service is None:
        raise HTTPException(404, "no such API path")
    allow(principal, required_scope(request.method, path))
    upstream_path = _raw_path(request).removeprefix(API_PREFIX)
    return await _forward(request, service, upstream_path, {HEADER: _identity(request, principal)}, principal)


async def webhook(request: Request) -> Response:
    """A provider webhook or an unsubscribe link: passed on unchanged; the service checks its signature."""
    service = webhook_service(request.url.path)
    if service is None:
        raise HTTPException(404, "not found")
    return await _forward(request, service, _raw_path(request), {}, None)


class OwnedPath(Convertor[str]):
    """A path below /api/v1 that a service owns (exactly those `service_for` routes)."""

    regex = f"(?:{SERVICE_PATHS})"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("owned", OwnedPath())


def first_routes() -> list[tuple[str, Any]]:
    """(path, endpoint) pairs matched before the gateway's own routes: the paths the services own (about a
    seventh of a proxied request's time went to trying the gateway's own routes first)."""
    return [(API_PREFIX + "/{path:owned}", api)]


def routes() -> list[tuple[str, Any]]:
    """(path, endpoint) pairs, added after the gateway's own routes so those match first."""
    return [(API_PREFIX + "/{path:path}", api), ("/webhooks/{path:path}", webhook), ("/unsubscribe/{token}", webhook)]
