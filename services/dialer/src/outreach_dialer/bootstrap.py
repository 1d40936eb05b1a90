"""Wires the dialer: settings -> clients -> repositories -> handlers -> subscribers, loops and HTTP."""

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
from twilio.request_validator import RequestValidator

from outreach_dialer.adapters.provider import TwilioProvider
from outreach_dialer.adapters.repository import INDEXES, CallRepository
from outreach_dialer.config import Settings
from outreach_dialer.domain.pacing import TokenBucket
from outreach_dialer.entrypoints import api, subscribers, webhooks
from outreach_dialer.handlers.deps import Deps
from outreach_dialer.handlers.queue import drain


def build(settings: Settings | None = None) -> FastAPI:
    """The dialer app; clients open in its lifespan."""
    settings = settings or Settings()
    registry = CollectorRegistry()
    tracer = configure_tracing(settings.service_name, exporter=settings.otel_exporter, endpoint=settings.otlp_endpoint)
    broker = make_broker(
        settings.kafka_bootstrap, service=settings.service_name, registry=registry, tracer_provider=tracer
    )
    client = make_client(settings.mongo_url)
    db = client[settings.mongo_db]
    provider = TwilioProvider(
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token,
        base_url=settings.twilio_base_url,
    )
    deps = Deps(
        calls=CallRepository(db),
        provider=provider,
        bus=KafkaEventBus(broker),
        clock=clock_from(settings.clock_file),
        topics=settings.topics,
        public_url=settings.public_url,
        default_caller_id=settings.default_caller_id,
        default_agent_url=settings.default_agent_url,
        bucket=TokenBucket(settings.calls_per_second),
    )
    subscribers.register(broker, deps)
    loops = Loops()

    async def startup() -> None:
        await ensure_indexes(db, INDEXES)
        await provider.start()
        await broker.start()
        loops.every("dial", settings.dial_interval_s, lambda: drain(deps))
        loops.every("outbox-sweep", 5.0, lambda: sweep(deps.calls.collection, deps.bus))

    async def shutdown() -> None:
        await loops.stop()
        await broker.stop()
        await provider.close()
        await client.close()

    async def kafka_ok() -> bool:
        return await broker.ping(timeout=2.0)

    app = make_http_app(
        service=settings.service_name,
        registry=registry,
        startup=startup,
        shutdown=shutdown,
        checks={"mongo": lambda: ping(client), "kafka": kafka_ok},
        description="Dial queue, pacing, provider webhooks and call history",
    )
    app.state.deps = deps
    app.state.settings = settings
    app.state.broker = broker
    app.state.validator = RequestValidator(settings.twilio_auth_token)
    app.include_router(api.router)
    app.include_router(webhooks.router)
    return app
