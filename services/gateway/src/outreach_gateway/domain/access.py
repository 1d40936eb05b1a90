"""Where a public request goes and what it needs: routing to the owning service, and the scope it takes."""

from __future__ import annotations

import re
from typing import Literal

from outreach_common.identity import READ_METHODS, Scope

Service = Literal["ingest", "scheduler", "dialer", "messenger", "metrics"]
API_PREFIX = "/api/v1"

# Path below /api/v1 -> owning service; the first match wins (a campaign's overview and launch preview live
# in metrics and ingest, the rest of /campaigns in the scheduler).
_ROUTES: tuple[tuple[str, Service], ...] = (
    (r"^/campaigns/[^/]+/overview$", "metrics"),
    (r"^/campaigns/[^/]+/preview$", "ingest"),
    (r"^/overviews$", "metrics"),
    (r"^/campaigns(/.*)?$", "scheduler"),
    (r"^/(imports|dnc|crm)(/.*)?$", "ingest"),
    (r"^/(numbers|agents|calls)(/.*)?$", "dialer"),
    (r"^/(messages|templates)(/.*)?$", "messenger"),
)
ROUTES = tuple((re.compile(pattern), service) for pattern, service in _ROUTES)
# The same paths as one regex, without their leading slash (a route's path parameter below /api/v1/).
SERVICE_PATHS = "|".join(f"(?:{pattern.removeprefix('^/').removesuffix('$')})" for pattern, _ in _ROUTES)

# Provider webhooks and unsubscribe links: public, at the same path on the service (the provider signed the
# public URL, so the path must not change); each keeps its own signature or token check.
_WEBHOOKS: tuple[tuple[str, Service], ...] = (
    (r"^/webhooks/twilio/calls/[^/]+/(status|recording)$", "dialer"),
    (r"^/webhooks/agents/post-call$", "dialer"),
    (r"^/webhooks/twilio/messages/(status|inbound)$", "messenger"),
    (r"^/unsubscribe/[^/]+$", "messenger"),
    (r"^/webhooks/crm/(hubspot|monday)/[^/]+$", "ingest"),
    (r"^/webhooks/crm/gohighlevel$", "ingest"),
)
WEBHOOKS = tuple((re.compile(pattern), service) for pattern, service in _WEBHOOKS)

# Changes only an admin makes: where calls come from and go to, taking numbers off the do-not-call list, and
# connecting CRMs (their credentials reach every contact of the workspace).
_ADMIN_WRITES = re.compile(r"^/(agents|numbers|crm/connections)(/.*)?$")
_ADMIN_READS = re.compile(r"^/crm/oauth/[^/]+/start$")  # a GET that begins connecting a CRM
_DNC_ENTRY = re.compile(r"^/dnc/[^/]+$")


def service_for(path: str) -> Service | None:
    """The service that owns a path below /api/v1, or None."""
    return next((service for pattern, service in ROUTES if pattern.match(path)), None)


def webhook_service(path: str) -> Service | None:
    """The service a provider webhook or unsubscribe link goes to, or None."""
    return next((service for pattern, service in WEBHOOKS if pattern.match(path)), None)


def required_scope(method: str, path: str) -> Scope:
    """`read` for reads; `admin` for agent, number, CRM connection and do-not-call removal changes (and
    starting a CRM's OAuth); else `write`."""
    if method in READ_METHODS:
        return "admin" if _ADMIN_READS.match(path) else "read"
    if _ADMIN_WRITES.match(path) or (method == "DELETE" and _DNC_ENTRY.match(path)):
        return "admin"
    return "write"
