"""Wires the messenger: settings -> clients -> repository, providers -> subscribers and webhooks."""

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

from outreach_messenger.adapters.providers import SmtpEmail, TwilioSms
from outreach_messenger.adapters.repository import INDEXES, MessageRepository
from outreach_messenger.config import Settings
from outreach_messenger.entrypoints import subscribers, webhooks
from outreach_messenger.handlers.deps import Deps


def build(settings: Settings | None = None) -> FastAPI:
    """The messenger app; clients open in its lifespan."""
    settings = settings or Settings()
    registry = CollectorRegistry()
    tracer = configure_tracing(settings.service_name, exporter=settings.otel_exporter, endpoint=settings.otlp_endpoint)
    broker = make_broker(
        settings.kafka_bootstrap, service=settings.service_name, registry=registry, tracer_provider=tracer
    )
    client = make_client(settings.mongo_url)
    db = client[settings.mongo_db]
    sms = TwilioSms(
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token,
        base_url=settings.twilio_base_url,
    )
    email = SmtpEmail(
        host=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password,
        starttls=settings.smtp_starttls,
    )
    deps = Deps(
        messages=MessageRepository(db),
        sms=sms,
        email=email,
        bus=KafkaEventBus(broker),
        clock=clock_from(settings.clock_file),
        topics=settings.topics,
        public_url=settings.public_url,
        default_sms_from=settings.default_sms_from,
        email_from=settings.email_from,
    )
    subscribers.register(broker, deps)
    loops = Loops()

    async def startup() -> None:
        await ensure_indexes(db, INDEXES)
        await sms.start()
        await broker.start()
        loops.every("outbox-sweep", 5.0, lambda: sweep(deps.messages.collection, deps.bus))

    async def shutdown() -> None:
        await loops.stop()
        await broker.stop()
        await sms.close()
        await client.close()

    async def kafka_ok() -> bool:
        return await broker.ping(timeout=2.0)

    app = make_http_app(
        service=settings.service_name,
        registry=registry,
        startup=startup,
        shutdown=shutdown,
        checks={"mongo": lambda: ping(client), "kafka": kafka_ok},
        description="SMS and email steps, delivery tracking and opt-outs",
    )
    app.state.deps = deps
    app.state.settings = settings
    app.state.broker = broker
    app.state.validator = RequestValidator(settings.twilio_auth_token)
    app.include_router(webhooks.router)
    return app
