"""Wires the scheduler: settings -> clients -> repositories -> handlers -> subscribers, loops and HTTP."""

from __future__ import annotations

import time
from datetime import timedelta

from fastapi import FastAPI
from outreach_common.loops import after_first
from outreach_common.outbox import sweep
from outreach_common.service import ServiceShell

from outreach_scheduler.adapters.enrollments import EnrollmentRepository
from outreach_scheduler.adapters.opt_outs import OptOutRepository
from outreach_scheduler.adapters.repository import INDEXES, CallLog, CampaignRepository
from outreach_scheduler.config import Settings
from outreach_scheduler.domain.lifecycle import LifecycleError
from outreach_scheduler.entrypoints import api, contacts_api, subscribers
from outreach_scheduler.handlers.deps import Deps
from outreach_scheduler.handlers.dispatch import count_due, dispatch_backlog, republish_claims
from outreach_scheduler.handlers.lifecycle import complete_finished, start_scheduled
from outreach_scheduler.handlers.stuck import InFlightWatch, fail_stuck_steps
from outreach_scheduler.instruments import Instruments


def build(settings: Settings | None = None) -> FastAPI:
    """The scheduler app; clients open in its lifespan."""
    settings = settings or Settings()
    shell = ServiceShell(settings)
    campaigns, enrollments = CampaignRepository(shell.db), EnrollmentRepository(shell.db)
    deps = Deps(
        campaigns=campaigns,
        enrollments=enrollments,
        **shell.wiring,
        calls_log=CallLog(shell.db),
        workspace_call_cap=settings.workspace_call_cap,
        resume_rate_per_s=settings.resume_rate_per_s,
        completion_grace_s=settings.completion_grace_s,
        opt_outs=OptOutRepository(shell.db),
        instruments=Instruments(shell.registry),
    )
    subscribers.register(shell.broker, deps, shell.dead_letters())
    watch = InFlightWatch()
    checkpoint = enrollments.keep_checkpoints(shell.db)
    every = settings.checkpoint_interval_s

    async def prune() -> None:
        await enrollments.prune_log(older_than=timedelta(hours=settings.log_retention_h))

    app = shell.app(
        description="Campaigns, contact windows, flows, enrollments and durable timers",
        indexes=INDEXES,
        on_start=[enrollments.start_index],
        on_stop=[checkpoint.save],
        # dispatching needs only the due index and the enrollments (the dialer and messenger check opt-outs
        # again before placing), so it starts at once after a restart, while the consumers join
        ready_before_consuming=True,
        loops=[
            (
                "dispatch",
                settings.dispatch_interval_s,
                lambda: dispatch_backlog(deps, limit=settings.dispatch_batch, workers=settings.dispatch_workers),
            ),
            ("lifecycle", 1.0, lambda: _lifecycle(deps)),
            ("campaign-outbox-sweep", 5.0, lambda: sweep(campaigns.collection, deps.bus)),
            ("enrollment-sweep", settings.sweep_interval_s, lambda: _sweep(enrollments, deps)),
            (
                "due-reload",
                settings.due_reload_interval_s,
                lambda: _reload(enrollments, settings.due_reload_interval_s),
            ),
            ("gauges", 5.0, lambda: count_due(deps)),
            ("due-journal", 1.0, checkpoint.flush),
            ("due-checkpoint", every, after_first(every, checkpoint.save)),
            ("stuck-steps", 60.0, lambda: fail_stuck_steps(deps, watch, limit_s=settings.step_outcome_limit_s)),
            ("log-retention", settings.prune_interval_s, after_first(settings.prune_interval_s, prune)),
        ],
    )
    app.state.deps = deps
    app.include_router(api.router)
    app.add_exception_handler(LifecycleError, api.refused_transition)
    app.include_router(contacts_api.router)
    return app


async def _lifecycle(deps: Deps) -> None:
    await start_scheduled(deps)
    await complete_finished(deps)


async def _sweep(enrollments: EnrollmentRepository, deps: Deps) -> None:
    """Crash repair; each reads the whole enrollments collection, hence its own, slower interval."""
    await sweep(enrollments.collection, deps.bus)
    await republish_claims(deps)


async def _reload(enrollments: EnrollmentRepository, interval_s: float) -> None:
    """Rebuild the due index (it was built at start): picks up steps other instances queued."""
    if time.monotonic() - enrollments.index.loaded_at >= 0.9 * interval_s:
        await enrollments.load_index()
