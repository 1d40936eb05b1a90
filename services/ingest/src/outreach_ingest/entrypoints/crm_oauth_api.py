"""Connecting a CRM by OAuth 2.0 (HubSpot, Salesforce, GoHighLevel, monday.com): the consent page to send the
person to, and the callback the CRM sends them back to, which makes the connection and lands them on the
console's CRM page."""

from __future__ import annotations

import secrets
import uuid
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from outreach_common.identity import REQUIRED, Caller

from outreach_ingest.adapters.crm.http import CrmConnectionError
from outreach_ingest.domain.crm_signatures import webhook_url
from outreach_ingest.entrypoints.crm_api import checked
from outreach_ingest.entrypoints.crm_schemas import OAuthStart
from outreach_ingest.handlers.crm_deps import CrmDeps
from outreach_ingest.handlers.crm_oauth import exchange_code
from outreach_ingest.handlers.crm_watch import webhook_key

router = APIRouter(prefix="/crm/oauth", tags=["crm"], dependencies=REQUIRED)
OAuthKind = Literal["hubspot", "salesforce", "gohighlevel", "monday"]
SCOPES = {
    "hubspot": "crm.objects.contacts.read crm.objects.contacts.write crm.lists.read",
    "salesforce": "api refresh_token",
    "gohighlevel": "contacts.readonly contacts.write opportunities.readonly",
    "monday": "me:read boards:read boards:write updates:write webhooks:write",
}


def redirect_uri(settings: Any, kind: str) -> str:
    return f"{settings.public_url.rstrip('/')}/api/v1/crm/oauth/{kind}/callback"


def _app(settings: Any, kind: str) -> tuple[str, str]:
    """The OAuth app's client id and consent page."""
    if kind == "salesforce":
        return settings.crm_salesforce_client_id, settings.crm_salesforce_login_url.rstrip(
            "/"
        ) + "/services/oauth2/authorize"
    if kind == "gohighlevel":
        return settings.crm_gohighlevel_client_id, settings.crm_gohighlevel_authorize_url
    if kind == "monday":
        return settings.crm_monday_client_id, settings.crm_monday_auth_url.rstrip("/") + "/oauth2/authorize"
    return settings.crm_hubspot_client_id, settings.crm_hubspot_authorize_url


@router.get(
    "/{kind}/start",
    response_model=OAuthStart,
    summary="Start connecting a CRM by OAuth",
    responses={409: {"description": "This deployment has no OAuth app for the CRM (its client id is not set)"}},
)
async def oauth_start(
    kind: OAuthKind, request: Request, who: Caller, name: Annotated[str, Query(min_length=1)] = "CRM"
) -> dict[str, str]:
    """The consent page to send the person to; the CRM sends them back to the callback below."""
    crm: CrmDeps = request.app.state.crm
    settings = request.app.state.settings
    client_id, consent = _app(settings, kind)
    if not client_id:
        raise HTTPException(409, f"{kind} OAuth is not configured (OUTREACH_CRM_{kind.upper()}_CLIENT_ID)")
    state = secrets.token_urlsafe(24)
    await crm.store.oauth_states.insert_one(
        {"_id": state, "kind": kind, "workspace_id": who.workspace_id, "name": name, "at": crm.imports.clock.now()}
    )
    query = {
        "client_id": client_id,
        "redirect_uri": redirect_uri(settings, kind),
        "scope": SCOPES[kind],
        "state": state,
    }
    if kind in ("salesforce", "gohighlevel"):
        query["response_type"] = "code"
    return {"authorize_url": f"{consent}?{urlencode(query)}", "state": state}


def _back(**query: str) -> RedirectResponse:
    return RedirectResponse(f"/#/crm?{urlencode(query)}", 303)


@router.get(
    "/{kind}/callback",
    status_code=303,
    response_class=RedirectResponse,
    summary="The CRM sends the person back here; on to the console's CRM page",
)
async def oauth_callback(
    kind: OAuthKind, request: Request, who: Caller, code: Annotated[str, Query()], state: Annotated[str, Query()]
) -> RedirectResponse:
    """The code is exchanged for tokens (refreshed before they expire, or when the session ends), the
    connection is made, and the person lands on the console's CRM page (`?connected=<id>` or `?problem=`)."""
    crm: CrmDeps = request.app.state.crm
    started = await crm.store.oauth_states.find_one_and_delete({"_id": state})
    if started is None or started["workspace_id"] != who.workspace_id or started.get("kind", kind) != kind:
        return _back(problem="unknown or used OAuth state: start again")
    settings = request.app.state.settings
    try:
        tokens = await exchange_code(kind, code, crm, redirect_uri=redirect_uri(settings, kind))
    except CrmConnectionError as exc:
        return _back(problem=exc.reason)
    doc = {
        "_id": f"crm_{uuid.uuid4().hex[:12]}",
        "workspace_id": who.workspace_id,
        "kind": kind,
        "name": started["name"],
        "auth": "oauth",
        "settings": {"opt_out_property": "do_not_call" if kind == "hubspot" else None},
        "status": "connected",
        "created_at": crm.imports.clock.now(),
    }
    if kind == "gohighlevel":  # a location token: the location the person chose
        doc["settings"]["location_id"] = tokens.pop("locationId", "")
    doc["sealed"] = crm.box.seal({**tokens, "webhook_key": webhook_key()} if kind == "monday" else tokens)
    doc["webhook_url"] = webhook_url(settings.public_url, kind, doc["_id"])
    await crm.store.add_connection(doc)
    await checked(doc, crm)
    return _back(connected=doc["_id"])
