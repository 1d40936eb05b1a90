"""OAuth 2.0 authorization codes exchanged for tokens: HubSpot's, Salesforce's web server flow (whose answer
names the org's instance URL), GoHighLevel's location tokens (whose answer names the location) and
monday.com's (tokens that do not expire)."""

from __future__ import annotations

from typing import Any

from outreach_ingest.adapters.crm import monday, salesforce
from outreach_ingest.adapters.crm.gohighlevel import GoHighLevel
from outreach_ingest.adapters.crm.hubspot import HubSpot
from outreach_ingest.adapters.crm.oauth import token_request
from outreach_ingest.handlers.crm_deps import CrmDeps

# kind -> (its name, the base URL it is reached at, its token endpoint, the answer's fields kept)
TOKENS: dict[str, tuple[str, str, Any, tuple[str, ...]]] = {
    "hubspot": (HubSpot.crm, "hubspot", HubSpot.token_url, HubSpot.keep),
    "salesforce": ("Salesforce", "salesforce", salesforce.token_url, ("instance_url",)),
    "gohighlevel": (GoHighLevel.crm, "gohighlevel", GoHighLevel.token_url, GoHighLevel.keep),
    "monday": ("monday.com", "monday_auth", monday.token_url, ()),
}


async def exchange_code(kind: str, code: str, deps: CrmDeps, *, redirect_uri: str) -> dict[str, Any]:
    """The tokens for an authorization code (a CrmConnectionError when refused)."""
    client = deps.oauth.get(kind, {})
    form = {
        "grant_type": "authorization_code",
        "client_id": client.get("client_id", ""),
        "client_secret": client.get("client_secret", ""),
        "redirect_uri": redirect_uri,
        "code": code,
    }
    if kind == "gohighlevel":
        form["user_type"] = "Location"
    crm, base, url, keep = TOKENS[kind]
    tokens = await token_request(url(deps.base_urls[base]), form, crm=crm, keep=keep)
    if kind == "hubspot":  # its app's client secret signs its webhooks
        tokens["webhook_secret"] = client.get("client_secret", "")
    return tokens
