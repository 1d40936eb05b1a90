"""Wires the scheduler: settings -> clients -> repositories -> handlers -> subscribers, loops and HTTP."""

from __future__ import annotations

from fastapi import FastAPI
from outreach_common.clock import clock_from
from outreach_common.http import make_http_app
from outreach_common.kafka import KafkaEventBus, make_broker
from outreach_common.loops import Loops
from outreach_common.mongo import ensure_indexes, make_client, ping
from outreach_common.outbox import sweep
from outreach_common.telemetry import configure_tracing
from prometheus_client import CollectorRegistry

from outreach_scheduler.adapters.repository import INDEXES, CallLog, CampaignRepository, EnrollmentRepository
from outreach_scheduler.config import Settings
from outreach_scheduler.entrypoints import api, subscribers
from outreach_scheduler.handlers.deps import Deps
from outreach_scheduler.handlers.dispatch import dispatch_due, republish_claims
from outreach_scheduler.handlers.lifecycle import complete_finished, start_scheduled


def build(settings: Settings | None = None) -> FastAPI:
    """The scheduler app; clients open in its lifespan."""
    settings = settings or Settings()
    registry = CollectorRegistry()
    tracer = configure_tracing(settings.service_name, exporter=settings.otel_exporter, endpoint=settings.otlp_endpoint)
    broker = make_broker(
        settings.kafka_bootstrap, service=settings.service_name, registry=registry, tracer_provider=tracer
    )
    client = make_client(settings.mongo_url)
    db = client[settings.mongo_db]
    deps = Deps(
        campaigns=CampaignRepository(db),
        enrollments=EnrollmentRepository(db),
        bus=KafkaEventBus(broker),
        clock=clock_from(settings.clock_file),
        topics=settings.topics,
        calls_log=CallLog(db),
        workspace_call_cap=settings.workspace_call_cap,
        resume_rate_per_s=settings.resume_rate_per_s,
        completion_grace_s=settings.completion_grace_s,
    )
    subscribers.register(broker, deps)
    loops = Loops()

    async def startup() -> None:
        await ensure_indexes(db, INDEXES)
        await broker.start()
        loops.every("dispatch", settings.dispatch_interval_s, lambda: dispatch_due(deps, limit=settings.dispatch_batch))
        loops.every("lifecycle", 1.0, lambda: _lifecycle(deps))
        loops.every("outbox-sweep", 5.0, lambda: _sweep(deps))

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
        description="Campaigns, contact windows, flows, enrollments and durable timers",
    )
    app.state.deps = deps
    app.state.settings = settings
    app.state.broker = broker
    app.include_router(api.router)
    return app


async def _lifecycle(deps: Deps) -> None:
    await start_scheduled(deps)
    await complete_finished(deps)


async def _sweep(deps: Deps) -> None:
    await sweep(deps.enrollments.collection, deps.bus)
    await republish_claims(deps)
    await sweep(deps.campaigns.collection, deps.bus)
