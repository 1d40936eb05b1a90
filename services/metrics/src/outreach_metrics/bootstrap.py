"""Wires the metrics service: settings -> clients -> projections -> subscribers and HTTP."""

from __future__ import annotations

from fastapi import FastAPI
from outreach_common.http import make_http_app
from outreach_common.kafka import make_broker
from outreach_common.mongo import ensure_indexes, make_client, ping
from outreach_common.telemetry import configure_tracing
from prometheus_client import CollectorRegistry

from outreach_metrics.adapters.projections import INDEXES, Projections
from outreach_metrics.config import Settings
from outreach_metrics.entrypoints import api, subscribers


def build(settings: Settings | None = None) -> FastAPI:
    """The metrics app; clients open in its lifespan."""
    settings = settings or Settings()
    registry = CollectorRegistry()
    tracer = configure_tracing(settings.service_name, exporter=settings.otel_exporter, endpoint=settings.otlp_endpoint)
    broker = make_broker(
        settings.kafka_bootstrap, service=settings.service_name, registry=registry, tracer_provider=tracer
    )
    client = make_client(settings.mongo_url)
    views = Projections(client[settings.mongo_db])
    subscribers.register(broker, views, settings.topics)

    async def startup() -> None:
        await ensure_indexes(client[settings.mongo_db], INDEXES)
        await broker.start()

    async def shutdown() -> None:
        await broker.stop()
        await client.close()

    async def kafka_ok() -> bool:
        return await broker.ping(timeout=2.0)

    app = make_http_app(
        service=settings.service_name,
        registry=registry,
        startup=startup,
        shutdown=shutdown,
        checks={"mongo": lambda: ping(client), "kafka": kafka_ok},
        description="Campaign overview and funnel projections",
    )
    app.state.views = views
    app.state.settings = settings
    app.state.broker = broker
    app.include_router(api.router)
    return app
