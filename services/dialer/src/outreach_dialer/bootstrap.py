"""Wires the dialer: settings -> clients -> stores -> handlers -> subscribers, loops and HTTP."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import FastAPI
from outreach_common.loops import after_first
from outreach_common.outbox import PendingOutbox, sweep
from outreach_common.service import ServiceShell
from twilio.request_validator import RequestValidator

from outreach_dialer.adapters.calls import CallStore, indexes
from outreach_dialer.adapters.limits import Limits
from outreach_dialer.adapters.opt_outs import OptOutRepository
from outreach_dialer.adapters.provider import TwilioProvider
from outreach_dialer.adapters.registry import AgentRepository, NumberRepository
from outreach_dialer.config import Settings
from outreach_dialer.entrypoints import api, registry_api, subscribers, webhooks
from outreach_dialer.handlers.deps import Deps, Health, Runtime
from outreach_dialer.handlers.numbers import check_health, flush_answers
from outreach_dialer.handlers.queue import adopt_stranded, drain, refresh_gauges
from outreach_dialer.handlers.reconcile import reap_slots, reconcile_calls
from outreach_dialer.handlers.status import flush_trails
from outreach_dialer.instruments import Instruments


def build(settings: Settings | None = None) -> FastAPI:
    """The dialer app; clients open in its lifespan."""
    settings = settings or Settings()
    shell = ServiceShell(settings)
    provider = TwilioProvider.of(settings)
    calls = CallStore(shell.db)
    run = Runtime()
    deps = Deps(
        run=run,
        calls=calls,
        numbers=NumberRepository(shell.db),
        agents=AgentRepository(shell.db),
        opt_outs=OptOutRepository(shell.db),
        number_events=PendingOutbox(shell.db["numbers_outbox"]),
        limits=Limits(shell.db, owner=run.instance),
        provider=provider,
        **shell.wiring,
        public_url=settings.public_url,
        default_caller_id=settings.default_caller_id,
        default_agent_url=settings.default_agent_url,
        account=settings.twilio_account_sid,
        calls_per_second=settings.calls_per_second * (1 - settings.pace_headroom),
        max_concurrent=settings.max_concurrent_calls,
        health=Health(
            window_h=settings.health_window_h,
            min_calls=settings.health_min_calls,
            share=settings.health_share,
            rest_h=settings.health_rest_h,
        ),
        instruments=Instruments(shell.registry),
    )
    subscribers.register(shell.broker, deps, shell.dead_letters())

    async def sweep_all() -> None:
        async for shard in calls.each_shard():
            await sweep(shard, deps.bus)

    async def prune() -> None:
        await calls.prune_claims(before=deps.clock.now() - timedelta(hours=settings.claim_retention_h))

    app = shell.app(
        description="Numbers, agents, dial queue, shared pacing, provider webhooks and call history",
        indexes=indexes(),
        on_start=[provider.start],
        on_stop=[
            lambda: finish_placing(deps, deadline_s=settings.shutdown_deadline_s),
            lambda: flush_trails(deps, older_than_s=0),
            calls.log.flush,
            lambda: flush_answers(deps),
            lambda: deps.limits.return_idle(0.0),
            provider.close,
        ],
        loops=[
            ("dial", settings.dial_interval_s, lambda: drain(deps)),
            ("history-entries", 0.25, calls.log.flush),
            ("outbox-sweep", settings.outbox_sweep_interval_s, sweep_all),
            ("relay-again", 3.0, deps.relay_again),
            ("gauges", 5.0, lambda: refresh_gauges(deps)),
            ("number-health", 60.0, lambda: check_health(deps)),
            ("pace-cleanup", 30.0, deps.limits.forget_slots),
            ("slot-leases", 5.0, deps.limits.return_idle),
            ("answer-counts", 5.0, lambda: flush_answers(deps)),
            ("trail-flush", 5.0, lambda: flush_trails(deps)),
            ("adopt-stranded", 10.0, lambda: adopt_stranded(deps)),
            ("reconcile", 15.0, lambda: reconcile_calls(deps, quiet_s=settings.reconcile_after_s)),
            ("numbers-outbox-sweep", 5.0, lambda: deps.number_events.sweep(deps.bus)),
            ("reap-slots", 30.0, lambda: reap_slots(deps, lease_s=settings.slot_lease_s)),
            ("claim-retention", settings.prune_interval_s, after_first(settings.prune_interval_s, prune)),
        ],
    )
    app.state.deps = deps
    app.state.validator = RequestValidator(settings.twilio_auth_token)
    for module in (api, registry_api, webhooks):
        app.include_router(module.router)
    return app


async def finish_placing(deps: Deps, *, deadline_s: float) -> None:
    """On shutdown (intake and loops already stopped): let the calls being placed finish, up to a deadline;
    what is still waiting then is cancelled and goes back to the queue (its slots released)."""
    pending = set(deps.run.tasks)
    if not pending:
        return
    _, late = await asyncio.wait(pending, timeout=deadline_s)
    for task in late:
        task.cancel()
    await asyncio.gather(*late, return_exceptions=True)
