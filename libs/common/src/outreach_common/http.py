"""The HTTP side of a service: FastAPI app with a lifespan, liveness (`/health/live`), readiness (`/health`,
`/health/ready`: a database or broker outage makes a pod unready, not restarted) and Prometheus `/metrics`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry, make_asgi_app

from outreach_common.failures import OUTAGES

HealthCheck = Callable[[], Awaitable[bool]]


def make_http_app(
    *,
    service: str,
    registry: CollectorRegistry,
    startup: Callable[[], Awaitable[None]],
    shutdown: Callable[[], Awaitable[None]],
    checks: dict[str, HealthCheck],
    description: str = "",
    details: Callable[[], dict[str, Any]] | None = None,
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

    @app.get("/health/live", tags=["ops"], summary="Liveness: the process answers (dependencies not asked)")
    async def live() -> JSONResponse:
        return JSONResponse({"status": "alive", "service": service})

    @app.get("/health", tags=["ops"], summary="Readiness: every dependency answers (also `/health/ready`)")
    @app.get("/health/ready", tags=["ops"], include_in_schema=False)
    async def health() -> JSONResponse:
        results: dict[str, Any] = {name: await check() for name, check in checks.items()}
        ok = all(results.values())
        body: dict[str, Any] = {"status": "ok" if ok else "degraded", "service": service, "checks": results}
        if details is not None:
            body.update(details())  # facts that do not decide readiness
        if OUTAGES.waiting:
            body["waiting"] = OUTAGES.report()  # consumers pausing for a dependency, and since when
        return JSONResponse(body, status_code=200 if ok else 503)

    app.mount("/metrics", make_asgi_app(registry=registry))
    return app
