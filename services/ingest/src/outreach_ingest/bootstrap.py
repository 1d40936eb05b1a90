"""Wires ingest: settings -> clients -> repositories -> handlers -> HTTP, subscribers and sweepers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from outreach_common.outbox import PendingOutbox
from outreach_common.service import ServiceShell

from outreach_ingest.adapters import crm_store, dnc, repository
from outreach_ingest.adapters.campaigns import CampaignDirectory
from outreach_ingest.adapters.crm.keys import token_box
from outreach_ingest.adapters.locks import CampaignLocks
from outreach_ingest.config import Settings
from outreach_ingest.entrypoints import (
    api,
    crm_api,
    crm_oauth_api,
    crm_pushes,
    crm_webhooks,
    dnc_api,
    preview_api,
    subscribers,
)
from outreach_ingest.handlers.crm_deps import CrmDeps
from outreach_ingest.handlers.crm_schedule import resume_syncs, sync_scheduled
from outreach_ingest.handlers.dnc import DncDeps
from outreach_ingest.handlers.import_deps import Deps
from outreach_ingest.handlers.imports import resume_unfinished
from outreach_ingest.instruments import Instruments


def build(settings: Settings | None = None) -> FastAPI:
    """The ingest app; clients open in its lifespan."""
    settings = settings or Settings()
    shell = ServiceShell(settings)
    suppressions = dnc.SuppressionRepository(shell.db)
    deps = Deps(
        contacts=repository.ContactRepository(shell.db),
        imports=repository.ImportRepository(shell.db),
        dnc=suppressions,
        locks=CampaignLocks(shell.db),
        **shell.wiring,
        batch=settings.publish_batch,
        seen_in_memory=settings.seen_in_memory,
        instruments=Instruments(shell.registry),
    )
    dnc_deps = DncDeps(dnc=suppressions, **shell.wiring, pending=PendingOutbox(shell.db["dnc_outbox"]))
    crm = CrmDeps(
        store=crm_store.CrmStore(shell.db),
        box=token_box(settings.crm_keys, Path(settings.upload_dir), environment=settings.environment),
        imports=deps,
        dnc=dnc_deps,
        upload_dir=Path(settings.upload_dir),
        base_urls={
            "hubspot": settings.crm_hubspot_url,
            "gohighlevel": settings.crm_gohighlevel_url,
            "monday": settings.crm_monday_url,
            "salesforce": settings.crm_salesforce_login_url,
            "monday_auth": settings.crm_monday_auth_url,
        },
        oauth={
            "hubspot": {
                "client_id": settings.crm_hubspot_client_id,
                "client_secret": settings.crm_hubspot_client_secret,
            },
            "salesforce": {
                "client_id": settings.crm_salesforce_client_id,
                "client_secret": settings.crm_salesforce_client_secret,
            },
            "gohighlevel": {
                "client_id": settings.crm_gohighlevel_client_id,
                "client_secret": settings.crm_gohighlevel_client_secret,
            },
            "monday": {"client_id": settings.crm_monday_client_id, "client_secret": settings.crm_monday_client_secret},
        },
    )
    resume_idle = timedelta(seconds=settings.crm_resume_idle_s)
    campaigns = CampaignDirectory(shell.db)
    subscribers.register(shell.broker, dnc_deps, campaigns, crm, shell.dead_letters())
    app = shell.app(
        description="CSV contact import, import jobs, do-not-call lists and the launch preview",
        indexes=[*repository.INDEXES, *dnc.INDEXES, *crm_store.INDEXES],
        on_start=[lambda: reseal(crm)],
        loops=[
            ("resume-imports", 30.0, lambda: resume_unfinished(deps)),
            ("dnc-outbox-sweep", 5.0, lambda: dnc_deps.pending.sweep(shell.bus)),
            ("crm-resume-syncs", min(30.0, settings.crm_resume_idle_s), lambda: resume_syncs(crm, idle=resume_idle)),
            ("crm-scheduled-syncs", 60.0, lambda: sync_scheduled(crm)),
            (
                "rejected-retention",
                3600.0,
                lambda: deps.imports.expire_rejected(
                    finished_before=deps.clock.now() - timedelta(days=settings.rejected_retention_days)
                ),
            ),
        ],
    )
    app.state.deps = deps
    app.state.dnc_deps = dnc_deps
    app.state.campaigns = campaigns
    app.state.crm = crm
    for module in (api, dnc_api, preview_api, crm_api, crm_oauth_api, crm_webhooks, crm_pushes):
        app.include_router(module.router)
    return app


async def reseal(crm: CrmDeps) -> int:
    """Every connection's credentials sealed with the newest key (a key is retired once this has run)."""
    connections = await crm.store.all_connections()
    for doc in connections:
        await crm.store.update_connection(doc["_id"], {"sealed": crm.box.rotate(doc["sealed"])})
    return len(connections)
