"""Request and response bodies of the CRM API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from outreach_ingest.domain.crm import CrmKind


class ConnectionIn(BaseModel):
    """A connection by token: a HubSpot private app's, or a GoHighLevel private integration's (or location
    token) with its location."""

    model_config = ConfigDict(extra="forbid")

    kind: CrmKind = Field(description="Which CRM", examples=["hubspot"])
    name: str = Field(
        min_length=1, max_length=200, description="What the workspace calls it", examples=["Sales HubSpot"]
    )
    token: str = Field(min_length=8, max_length=4000, description="Private-app or API token (stored encrypted)")
    location_id: str | None = Field(default=None, description="GoHighLevel: the location (sub-account) id")
    base_url: str | None = Field(
        default=None, description="Lead Docket: the firm's URL", examples=["https://myfirm.leaddocket.com"]
    )
    status_after_call: str | None = Field(
        default=None, description="Lead Docket: the status a lead moves to once answered"
    )
    opt_out_property: str = Field(
        default="do_not_call",
        description="HubSpot: the contact property set to true when a contact opts out; monday.com: the column "
        "that marks an item not to be called (read by syncs, set on opt-out)",
    )
    webhook_secret: str | None = Field(
        default=None,
        description="The HubSpot app's client secret, to check its webhooks' signatures (stored encrypted); "
        "webhooks go to /webhooks/crm/hubspot/{connection id}",
    )


class Connection(BaseModel):
    """A CRM connection (its credentials are never shown)."""

    id: str
    kind: CrmKind
    name: str
    auth: Literal["token", "oauth"]
    status: Literal["connected", "broken"] = Field(description="`broken`: the CRM refused it; see `problem`")
    problem: str | None = Field(default=None, description="Why the CRM refused it (revoked, missing scope...)")
    created_at: datetime
    checked_at: datetime | None = None
    webhook_url: str | None = Field(default=None, description="Where the CRM's webhooks go (null: none set up)")


class OAuthStart(BaseModel):
    """Where to send the person who authorises the connection."""

    authorize_url: str
    state: str


class FeedIn(BaseModel):
    """What feeds a campaign from a connection."""

    model_config = ConfigDict(extra="forbid")

    connection_id: str
    campaign_id: str
    source: dict[str, str] = Field(description="In the CRM's terms; HubSpot: `list_id`", examples=[{"list_id": "123"}])
    mapping: dict[str, str] | None = Field(
        default=None,
        description="Outreach field (to_number, first_name, last_name, email, timezone, state, postal_code, or a "
        "custom field's name) -> the CRM's field; default: the CRM's usual fields",
        examples=[{"to_number": "mobilephone", "plan": "plan_tier"}],
    )
    every_minutes: int = Field(
        default=0, ge=0, le=7 * 24 * 60, description="Incremental sync every N minutes (0: on demand)"
    )
    default_region: str = Field(default="US", description="Region of numbers without a country code")


class Feed(BaseModel):
    """A campaign's CRM feed and its last sync."""

    id: str
    kind: CrmKind
    connection_id: str
    campaign_id: str
    source: dict[str, str]
    mapping: dict[str, str]
    every_minutes: int
    created_at: datetime
    last_status: str | None = None
    last_error: str | None = None
    last_sync_id: str | None = None
    push: str | None = Field(
        default=None, description="How the CRM tells Outreach of changes between scheduled syncs (monday.com)"
    )


class Sync(BaseModel):
    """One sync run and its report."""

    id: str
    feed_id: str
    campaign_id: str
    mode: Literal["full", "incremental"]
    status: Literal["fetching", "importing", "completed", "failed"]
    fetched: int = Field(description="Records read from the CRM")
    imported: int = 0
    duplicates: int = 0
    invalid: int = 0
    suppressed: int = Field(default=0, description="Numbers on the do-not-call list (import verdicts)")
    crm_suppressed: int = Field(default=0, description="Records the CRM marks as not to be contacted")
    requests: int = Field(description="HTTP requests sent to the CRM (retries included)")
    import_id: str | None = None
    started_at: datetime
    finished_at: datetime | None = None
    error: str | None = None


class SyncRecord(BaseModel):
    """A record that was not imported, and why."""

    record_id: str
    status: Literal["duplicate", "invalid", "suppressed"]
    reason: str | None = None
