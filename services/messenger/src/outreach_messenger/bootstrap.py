"""Wires the messenger: settings -> clients -> repository, providers -> subscribers and webhooks."""

from __future__ import annotations

from fastapi import FastAPI
from outreach_common.bounded import Bounded
from outreach_common.outbox import PendingOutbox, sweep
from outreach_common.service import ServiceShell
from twilio.request_validator import RequestValidator

from outreach_messenger.adapters.providers import SmtpEmail, TwilioSms
from outreach_messenger.adapters.repository import INDEXES, MessageRepository
from outreach_messenger.config import Settings
from outreach_messenger.entrypoints import api, subscribers, webhooks
from outreach_messenger.handlers.deps import Deps
from outreach_messenger.handlers.stuck import take_up_stuck
from outreach_messenger.instruments import Instruments


def build(settings: Settings | None = None) -> FastAPI:
    """The messenger app; clients open in its lifespan."""
    settings = settings or Settings()
    shell = ServiceShell(settings)
    sms = TwilioSms.of(settings)
    email = SmtpEmail(settings)
    messages = MessageRepository(shell.db)
    deps = Deps(
        messages=messages,
        sms=sms,
        email=email,
        **shell.wiring,
        public_url=settings.public_url,
        default_sms_from=settings.default_sms_from,
        email_from=settings.email_from,
        pending=PendingOutbox(shell.db["opt_out_outbox"]),
        help_reply=settings.help_reply,
        send_attempts=settings.send_attempts,
        retry_base_s=settings.retry_base_s,
        lease_s=settings.lease_s,
        sending=Bounded(settings.send_concurrency, "sends"),
        instruments=Instruments(shell.registry),
    )
    subscribers.register(shell.broker, deps, shell.dead_letters())
    app = shell.app(
        description="SMS and email steps, delivery tracking and opt-outs",
        indexes=INDEXES,
        on_start=[sms.start],
        on_stop=[lambda: deps.sending.drain(10.0), sms.close],
        loops=[
            ("outbox-sweep", 5.0, lambda: sweep(messages.collection, deps.bus)),
            ("opt-out-outbox-sweep", 5.0, lambda: deps.pending.sweep(deps.bus)),
            ("stuck-sends", 30.0, lambda: take_up_stuck(deps)),
        ],
    )
    app.state.deps = deps
    app.state.validator = RequestValidator(settings.twilio_auth_token)
    app.include_router(webhooks.router)
    app.include_router(api.router)
    app.include_router(api.links)
    return app
