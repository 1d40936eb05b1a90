"""Wires the gateway: settings -> database, upstream pool, authenticator -> its own API and the proxy."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from outreach_common.clock import clock_from
from outreach_common.http import make_http_app
from outreach_common.mongo import ensure_indexes, make_client, ping
from prometheus_client import CollectorRegistry

from outreach_gateway.adapters.accounts import INDEXES, Accounts
from outreach_gateway.adapters.audit import AuditLog
from outreach_gateway.adapters.credentials import Credentials
from outreach_gateway.adapters.upstream import Upstreams
from outreach_gateway.config import Settings
from outreach_gateway.domain.ratelimit import Buckets
from outreach_gateway.entrypoints import accounts_api, keys_api, openapi, people_api, proxy
from outreach_gateway.handlers.accounts import AccountDeps
from outreach_gateway.handlers.auth import Authenticator


def build(settings: Settings | None = None) -> FastAPI:
    """The gateway app; the database client and the upstream pool open and close with its lifespan."""
    settings = settings or Settings()
    client = make_client(settings.mongo_url)
    db = client[settings.mongo_db]
    clock = clock_from(settings.clock_file)
    upstreams = Upstreams(settings.upstreams())
    credentials = Credentials(db)
    audit = AuditLog(db)

    async def startup() -> None:
        await ensure_indexes(db, INDEXES)

    async def shutdown() -> None:
        await upstreams.close()
        await client.close()

    async def mongo_ok() -> bool:
        return await ping(client)

    app = make_http_app(
        service="gateway",
        registry=CollectorRegistry(),
        startup=startup,
        shutdown=shutdown,
        checks={"mongo": mongo_ok},
        description="The public API: identity, workspaces and routing to the services",
    )
    state = app.state
    state.settings = settings
    state.clock = clock
    state.upstreams = upstreams
    state.audit = audit
    state.auth = Authenticator(credentials, clock, cache_s=settings.credential_cache_s)
    state.buckets = Buckets(rate=settings.rate_per_s, burst=settings.rate_burst)
    state.sign_ins = Buckets(rate=1 / 6, burst=10)  # per email: 10 tries, then one every 6 seconds
    state.identities = {}
    state.openapi = None
    state.account_deps = AccountDeps(
        accounts=Accounts(db), credentials=credentials, audit=audit, clock=clock, session_ttl_h=settings.session_ttl_h
    )
    for path, endpoint in proxy.first_routes():  # the services' paths before the gateway's own routes
        app.add_route(path, endpoint, methods=proxy.METHODS, include_in_schema=False)
    for api in (accounts_api, keys_api, people_api):
        app.include_router(api.router)
    app.include_router(openapi.router)
    for path, endpoint in proxy.routes():
        app.add_route(path, endpoint, methods=proxy.METHODS, include_in_schema=False)
    if (settings.console_dir / "index.html").is_file():  # the console, on the API's own origin
        app.mount("/", StaticFiles(directory=settings.console_dir, html=True), name="console")
    return app
