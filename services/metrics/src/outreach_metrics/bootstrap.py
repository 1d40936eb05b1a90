"""Wires the metrics service: settings -> clients -> projections -> subscribers and HTTP."""

from __future__ import annotations

from fastapi import FastAPI
from outreach_common.service import ServiceShell

from outreach_metrics.adapters.projections import INDEXES, Projections
from outreach_metrics.config import Settings
from outreach_metrics.entrypoints import api, subscribers


def build(settings: Settings | None = None) -> FastAPI:
    """The metrics app; clients open in its lifespan."""
    settings = settings or Settings()
    shell = ServiceShell(settings)
    views = Projections(shell.db)
    subscribers.register(shell.broker, views, settings.topics, settings.consumer_group)
    app = shell.app(description="Campaign overview and funnel projections", indexes=INDEXES)
    app.state.views = views
    app.include_router(api.router)
    return app
