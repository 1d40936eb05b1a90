"""Wires ingest: settings -> clients -> repositories -> handlers -> HTTP and the publish sweeper."""

from __future__ import annotations

from fastapi import FastAPI
from outreach_common.clock import clock_from
from outreach_common.http import make_http_app
from outreach_common.kafka import KafkaEventBus, make_broker
from outreach_common.loops import Loops
from outreach_common.mongo import ensure_indexes, make_client, ping
from outreach_common.telemetry import configure_tracing
from prometheus_client import CollectorRegistry

from outreach_ingest.adapters.repository import INDEXES, ContactRepository, ImportRepository
from outreach_ingest.config import Settings
from outreach_ingest.entrypoints import api
from outreach_ingest.handlers.imports import Deps, republish_unpublished


def build(settings: Settings | None = None) -> FastAPI:
    """The ingest app; clients open in its lifespan."""
    settings = settings or Settings()
    registry = CollectorRegistry()
    tracer = configure_tracing(settings.service_name, exporter=settings.otel_exporter, endpoint=settings.otlp_endpoint)
    broker = make_broker(
        settings.kafka_bootstrap, service=settings.service_name, registry=registry, tracer_provider=tracer
    )
    client = make_client(settings.mongo_url)
    db = client[settings.mongo_db]
    deps = Deps(
        contacts=ContactRepository(db),
        imports=ImportRepository(db),
        bus=KafkaEventBus(broker),
        clock=clock_from(settings.clock_file),
        topics=settings.topics,
        batch=settings.publish_batch,
    )
    loops = Loops()

    async def startup() -> None:
        await ensure_indexes(db, INDEXES)
        await broker.start()
        loops.every("republish", 10.0, lambda: republish_unpublished(deps))

    async def shutdown() -> None:
        await loops.stop()
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
        description="CSV contact import, import jobs and do-not-call lists",
    )
    app.state.deps = deps
    app.state.settings = settings
    app.state.broker = broker
    app.include_router(api.router)
    return app
