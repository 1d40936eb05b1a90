"""Push from monday.com: a feed's board is watched by webhooks Outreach makes itself (with the connection's
URL key, and the app's JWT when connected by OAuth), so that items created or changed are synced within
seconds instead of at the next scheduled sync. Other CRMs' webhooks are set up in the CRM (HubSpot's and
GoHighLevel's apps); Salesforce and Lead Docket are read on the feed's schedule."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from outreach_ingest.adapters.crm.http import CrmConnectionError, CrmRefusedError
from outreach_ingest.adapters.crm.monday import Monday
from outreach_ingest.domain.crm_signatures import webhook_url
from outreach_ingest.handlers.crm_deps import CrmDeps


def webhook_key() -> str:
    """A connection's URL key for its monday.com webhooks (kept sealed with its token)."""
    return secrets.token_urlsafe(24)


async def watch_board(feed: dict[str, Any], connection: dict[str, Any], deps: CrmDeps, public_url: str) -> str:
    """Make the board's webhooks; what the feed's `push` says (how changes reach Outreach between syncs)."""
    key = deps.box.open(connection["sealed"]).get("webhook_key")
    url = webhook_url(public_url, "monday", connection["_id"])
    if not key or not url:
        return "scheduled syncs only (this connection has no webhook key: connect it again)"
    connector = deps.open(connection)
    assert isinstance(connector, Monday)
    try:
        made = await connector.watch(feed["source"]["board_id"], f"{url}?key={key}")
    except (CrmConnectionError, CrmRefusedError, httpx.HTTPError) as exc:
        return f"scheduled syncs only (monday.com did not make the webhooks: {exc})"
    finally:
        await connector.close()
    return f"webhooks {', '.join(made)} on board {feed['source']['board_id']}"
