"""One OpenAPI document for the whole public API: the gateway's own operations and each service's, under
the public paths the gateway routes, with the security schemes and the answers the gateway itself gives."""

from __future__ import annotations

import copy
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from outreach_gateway.domain.access import API_PREFIX, service_for, webhook_service

router = APIRouter()
SERVICES = ("scheduler", "ingest", "dialer", "messenger", "metrics")
SECURITY: list[dict[str, list[str]]] = [{"apiKey": []}, {"session": []}]
SCHEMES = {
    "apiKey": {"type": "http", "scheme": "bearer", "description": "An API key: `Authorization: Bearer ork_...`"},
    "session": {"type": "apiKey", "in": "cookie", "name": "outreach_session", "description": "A person's sign-in"},
}
PUBLIC = {"/api/v1/workspaces", "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/people/accept"}
ERROR = {"type": "object", "properties": {"detail": {"title": "Detail"}}, "required": ["detail"], "title": "Error"}
GATEWAY_ANSWERS = {
    "401": "No valid API key or sign-in",
    "403": "The key's scopes or the person's role do not allow this",
    "404": "Not found in the caller's workspace",
    "429": "Rate limit: retry after `Retry-After` seconds",
    "502": "The owning service is unavailable",
    "504": "The owning service did not answer in time",
}


def public_path(service: str, path: str) -> str | None:
    """Where a service path is published, or None when the gateway does not route it to that service."""
    if webhook_service(path) == service:
        return path
    return API_PREFIX + path if service_for(path) == service else None


def _rename(doc: dict[str, Any], taken: dict[str, Any], service: str) -> dict[str, Any]:
    """The service's document with schemas renamed where another document already uses the name differently."""
    schemas = doc.get("components", {}).get("schemas", {})
    renames = {n: f"{service.title()}{n}" for n, s in schemas.items() if n in taken and taken[n] != s}
    text = json.dumps(doc)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    renamed: dict[str, Any] = json.loads(text)
    comps = renamed.get("components", {}).get("schemas", {})
    renamed.setdefault("components", {})["schemas"] = {renames.get(n, n): s for n, s in comps.items()}
    return renamed


def _with_gateway_answers(operation: dict[str, Any], *, webhook: bool) -> None:
    responses = operation.setdefault("responses", {})
    codes = ("403", "404", "502", "504") if webhook else tuple(GATEWAY_ANSWERS)
    for code in codes:
        responses.setdefault(
            code,
            {
                "description": GATEWAY_ANSWERS[code],
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        )
    responses.setdefault("413", {"description": "The request body is larger than the upload limit"})
    if "requestBody" in operation:
        responses.setdefault("400", {"description": "The body could not be parsed"})
    operation["security"] = [] if webhook else SECURITY


def merge(own: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The public document from the gateway's own and the services' documents."""
    merged = copy.deepcopy(own)
    merged["info"] = {"title": "Outreach API", "version": "1", "description": "The public API of Outreach"}
    paths: dict[str, Any] = {}
    for path, item in merged.get("paths", {}).items():
        if path.startswith(API_PREFIX):
            paths[path] = item
            for operation in item.values():
                if path in PUBLIC:
                    operation["security"] = []
                    responses = operation.setdefault("responses", {})
                    responses.setdefault("429", {"description": GATEWAY_ANSWERS["429"]})
                    if "requestBody" in operation:
                        responses.setdefault("400", {"description": "The body could not be parsed"})
                else:
                    _with_gateway_answers(operation, webhook=False)
    schemas: dict[str, Any] = merged.setdefault("components", {}).setdefault("schemas", {})
    for service, raw in services.items():
        doc = _rename(raw, schemas, service)
        for name, schema in doc.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(name, schema)
        for path, item in doc.get("paths", {}).items():
            public = public_path(service, path)
            if public is None:
                continue
            for operation in item.values():
                _with_gateway_answers(operation, webhook=not public.startswith(API_PREFIX))
            paths[public] = item
    schemas["Error"] = ERROR
    merged["paths"] = dict(sorted(paths.items()))
    merged["components"]["securitySchemes"] = SCHEMES
    merged["security"] = SECURITY
    return merged


@router.get("/api/v1/openapi.json", include_in_schema=False)
async def openapi(request: Request) -> JSONResponse:
    """The merged document (built once every service has answered, then kept)."""
    state = request.app.state
    if state.openapi is None:
        services = {s: await state.upstreams.get_json(s, "/openapi.json") for s in SERVICES}
        state.openapi = merge(request.app.openapi(), services)
    return JSONResponse(state.openapi)
