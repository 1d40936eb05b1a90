"""Wires ingest: settings -> clients -> repositories -> handlers -> HTTP and the publish sweeper."""

from __future__ import annotations

from fastapi import FastAPI
from outreach_common.service import ServiceShell

from outreach_ingest.adapters.repository import INDEXES, ContactRepository, ImportRepository
from outreach_ingest.config import Settings
from outreach_ingest.entrypoints import api
from outreach_ingest.handlers.imports import Deps, republish_unpublished


def build(settings: Settings | None = None) -> FastAPI:
    """The ingest app; clients open in its lifespan."""
    settings = settings or Settings()
    shell = ServiceShell(settings)
    deps = Deps(
        contacts=ContactRepository(shell.db),
        imports=ImportRepository(shell.db),
        bus=shell.bus,
        clock=shell.clock,
        topics=settings.topics,
        batch=settings.publish_batch,
    )
    app = shell.app(
        description="CSV contact import, import jobs and do-not-call lists",
        indexes=INDEXES,
        loops=[("republish", 10.0, lambda: republish_unpublished(deps))],
    )
    app.state.deps = deps
    app.include_router(api.router)
    return app
