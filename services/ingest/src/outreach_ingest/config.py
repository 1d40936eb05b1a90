"""Ingest settings."""

from __future__ import annotations

from outreach_common.settings import ServiceSettings
from pydantic import Field


class Settings(ServiceSettings):
    """Settings of the ingest service (`OUTREACH_*` variables)."""

    service_name: str = "ingest"
    http_port: int = 8001
    upload_dir: str = Field(default=".local/uploads", description="Where uploaded files are stored")
    seen_in_memory: int = Field(
        default=1_500_000,
        ge=1,
        description="Numbers an import remembers in memory (to find repeats; 16 bytes each) before moving them "
        "to a disk file",
    )
    rejected_retention_days: float = Field(
        default=30.0, gt=0, description="Days a finished import's rejected-row report is kept"
    )
    publish_batch: int = Field(
        default=5000,
        ge=1,
        description="Rows stored and published per step of an import (its progress moves by as many)",
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="The gateway's public base URL (OAuth redirects)"
    )
    crm_keys: list[str] = Field(
        default_factory=list,
        description="Fernet keys sealing CRM credentials, newest first (JSON list); empty: a development key "
        "kept in upload_dir (never in production)",
    )
    crm_hubspot_url: str = Field(default="https://api.hubapi.com", description="HubSpot's API")
    crm_gohighlevel_url: str = Field(default="https://services.leadconnectorhq.com", description="GoHighLevel's API")
    crm_monday_url: str = Field(default="https://api.monday.com", description="monday.com's API (GraphQL at /v2)")
    crm_salesforce_login_url: str = Field(
        default="https://login.salesforce.com",
        description="Salesforce's login host (OAuth; test.salesforce.com for sandboxes)",
    )
    crm_salesforce_client_id: str = Field(default="", description="The Salesforce connected app's consumer key")
    crm_salesforce_client_secret: str = Field(default="", description="The Salesforce connected app's consumer secret")
    crm_leaddocket_url_pattern: str = Field(
        default=r"^https://[a-z0-9-]+\.leaddocket\.com$",
        description="What a Lead Docket firm URL must match (a connection cannot point ingest anywhere else)",
    )
    crm_hubspot_authorize_url: str = Field(
        default="https://app.hubspot.com/oauth/authorize", description="HubSpot's OAuth consent page"
    )
    crm_hubspot_client_id: str = Field(default="", description="The HubSpot app's client id (OAuth)")
    crm_hubspot_client_secret: str = Field(default="", description="The HubSpot app's client secret (OAuth, webhooks)")
    crm_gohighlevel_authorize_url: str = Field(
        default="https://marketplace.gohighlevel.com/oauth/chooselocation",
        description="GoHighLevel's OAuth consent page (the person picks the location)",
    )
    crm_gohighlevel_client_id: str = Field(default="", description="The GoHighLevel app's client id (OAuth)")
    crm_gohighlevel_client_secret: str = Field(default="", description="The GoHighLevel app's client secret (OAuth)")
    crm_gohighlevel_webhook_key: str = Field(
        default="", description="HighLevel's published Ed25519 public key (PEM) that signs its webhooks"
    )
    crm_monday_auth_url: str = Field(default="https://auth.monday.com", description="monday.com's OAuth host")
    crm_monday_client_id: str = Field(default="", description="The monday.com app's client id (OAuth)")
    crm_monday_client_secret: str = Field(default="", description="The monday.com app's client secret (OAuth)")
    crm_monday_signing_secret: str = Field(
        default="", description="The monday.com app's signing secret (its webhooks' JWT)"
    )
    crm_resume_idle_s: float = Field(
        default=60.0, gt=0, description="Seconds without progress after which a CRM sync is taken up again"
    )
