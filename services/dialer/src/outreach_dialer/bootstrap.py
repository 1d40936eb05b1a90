"""Wires the dialer: settings -> clients -> repositories -> handlers -> subscribers, loops and HTTP."""

from __future__ import annotations

from fastapi import FastAPI
from outreach_common.outbox import sweep
from outreach_common.service import ServiceShell
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
    shell = ServiceShell(settings)
    provider = TwilioProvider(
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token,
        base_url=settings.twilio_base_url,
    )
    deps = Deps(
        calls=CallRepository(shell.db),
        provider=provider,
        bus=shell.bus,
        clock=shell.clock,
        topics=settings.topics,
        public_url=settings.public_url,
        default_caller_id=settings.default_caller_id,
        default_agent_url=settings.default_agent_url,
        bucket=TokenBucket(settings.calls_per_second),
    )
    subscribers.register(shell.broker, deps)
    app = shell.app(
        description="Dial queue, pacing, provider webhooks and call history",
        indexes=INDEXES,
        on_start=[provider.start],
        on_stop=[provider.close],
        loops=[
            ("dial", settings.dial_interval_s, lambda: drain(deps)),
            ("outbox-sweep", 5.0, lambda: sweep(deps.calls.collection, deps.bus)),
        ],
    )
    app.state.deps = deps
    app.state.validator = RequestValidator(settings.twilio_auth_token)
    app.include_router(api.router)
    app.include_router(webhooks.router)
    return app
