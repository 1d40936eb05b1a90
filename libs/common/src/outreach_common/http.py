"""The HTTP side of a service: FastAPI app with a lifespan, `/health` and Prometheus `/metrics`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry, make_asgi_app

HealthCheck = Callable[[], Awaitable[bool]]


def make_http_app(
    *,
    service: str,
    registry: CollectorRegistry,
    startup: Callable[[], Awaitable[None]],
    shutdown: Callable[[], Awaitable[None]],
    checks: dict[str, HealthCheck],
    description: str = "",
) -> FastAPI:
    """A FastAPI app whose lifespan runs `startup`/`shutdown`, with health and metrics endpoints."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await startup()
        try:
            yield
        finally:
            await shutdown()

    app = FastAPI(title=f"Outreach {service}", description=description, lifespan=lifespan, version="0.1.0")

    @app.get("/health", tags=["ops"], summary="Liveness and dependency checks")
    async def health() -> JSONResponse:
        results: dict[str, Any] = {name: await check() for name, check in checks.items()}
        ok = all(results.values())
        return JSONResponse(
            {"status": "ok" if ok else "degraded", "service": service, "checks": results},
            status_code=200 if ok else 503,
        )

    app.mount("/metrics", make_asgi_app(registry=registry))
    return app
