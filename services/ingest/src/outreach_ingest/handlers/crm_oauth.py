"""OAuth 2.0 authorization codes exchanged for tokens (HubSpot)."""

from __future__ import annotations

from typing import Any

from outreach_ingest.adapters.crm.hubspot import token_request
from outreach_ingest.handlers.crm_deps import CrmDeps


async def exchange_code(code: str, deps: CrmDeps, *, redirect_uri: str) -> dict[str, Any]:
    """The access and refresh tokens for an authorization code (a CrmConnectionError when refused)."""
    client = deps.oauth.get("hubspot", {})
    form = {
        "grant_type": "authorization_code",
        "client_id": client.get("client_id", ""),
        "client_secret": client.get("client_secret", ""),
        "redirect_uri": redirect_uri,
        "code": code,
    }
    return await token_request(deps.base_urls["hubspot"], form)
