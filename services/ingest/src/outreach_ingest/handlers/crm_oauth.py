"""OAuth 2.0 authorization codes exchanged for tokens: HubSpot's, and Salesforce's web server flow (whose
token answer names the org's instance URL)."""

from __future__ import annotations

from typing import Any

from outreach_ingest.adapters.crm import hubspot, salesforce
from outreach_ingest.handlers.crm_deps import CrmDeps


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
    if kind == "salesforce":
        return await salesforce.token_request(deps.base_urls["salesforce"], form)
    tokens = await hubspot.token_request(deps.base_urls["hubspot"], form)
    return {**tokens, "webhook_secret": client.get("client_secret", "")}
