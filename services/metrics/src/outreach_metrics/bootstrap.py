"""Wires the metrics service: settings -> clients -> store and in-memory overview -> subscribers and HTTP."""

from __future__ import annotations

from fastapi import FastAPI
from outreach_common.service import ServiceShell

from outreach_metrics.adapters.projections import INDEXES, Projections
from outreach_metrics.config import Settings
from outreach_metrics.domain.overview import Overview
from outreach_metrics.entrypoints import api, subscribers
from outreach_metrics.handlers.project import Projector


def build(settings: Settings | None = None) -> FastAPI:
    """The metrics app; clients open in its lifespan, and the overview is loaded before consuming starts."""
    settings = settings or Settings()
    shell = ServiceShell(settings)
    projector = Projector(Projections(shell.db), Overview())
    subscribers.register(shell.broker, projector, settings.topics, shell.dead_letters(), settings.consumer_group)
    app = shell.app(description="Campaign overview and funnel projections", indexes=INDEXES, on_start=[projector.load])
    app.state.projector = projector
    app.include_router(api.router)
    return app
