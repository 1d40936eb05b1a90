"""Ingest's settings that point it at a fake CRM (its OAuth app included), with a fresh sealing key."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet


def hubspot_env(url: str) -> dict[str, str]:
    """`OUTREACH_*` variables for a fake HubSpot at `url`."""
    return {
        "OUTREACH_CRM_HUBSPOT_URL": url,
        "OUTREACH_CRM_HUBSPOT_AUTHORIZE_URL": url + "/oauth/authorize",
        "OUTREACH_CRM_HUBSPOT_CLIENT_ID": "fake-client",
        "OUTREACH_CRM_HUBSPOT_CLIENT_SECRET": "fake-secret",
        "OUTREACH_CRM_KEYS": json.dumps([Fernet.generate_key().decode()]),
    }


def gohighlevel_env(url: str, webhook_key: str = "") -> dict[str, str]:
    """`OUTREACH_*` variables for a fake GoHighLevel at `url` (its marketplace app included; `webhook_key`:
    the public key that checks its webhooks)."""
    return {
        "OUTREACH_CRM_GOHIGHLEVEL_URL": url,
        "OUTREACH_CRM_GOHIGHLEVEL_AUTHORIZE_URL": url + "/oauth/chooselocation",
        "OUTREACH_CRM_GOHIGHLEVEL_CLIENT_ID": "ghl-client",
        "OUTREACH_CRM_GOHIGHLEVEL_CLIENT_SECRET": "ghl-secret",
        "OUTREACH_CRM_GOHIGHLEVEL_WEBHOOK_KEY": webhook_key,
        "OUTREACH_CRM_KEYS": json.dumps([Fernet.generate_key().decode()]),
    }


def monday_env(url: str) -> dict[str, str]:
    """`OUTREACH_*` variables for a fake monday.com at `url` (API and OAuth host, its app included)."""
    return {
        "OUTREACH_CRM_MONDAY_URL": url,
        "OUTREACH_CRM_MONDAY_AUTH_URL": url,
        "OUTREACH_CRM_MONDAY_CLIENT_ID": "monday-client",
        "OUTREACH_CRM_MONDAY_CLIENT_SECRET": "monday-secret",
        "OUTREACH_CRM_MONDAY_SIGNING_SECRET": "monday-signing-secret-of-the-fake-app",
        "OUTREACH_CRM_KEYS": json.dumps([Fernet.generate_key().decode()]),
    }


def salesforce_env(url: str) -> dict[str, str]:
    """`OUTREACH_*` variables for a fake Salesforce at `url` (its connected app included)."""
    return {
        "OUTREACH_CRM_SALESFORCE_LOGIN_URL": url,
        "OUTREACH_CRM_SALESFORCE_CLIENT_ID": "sf-client",
        "OUTREACH_CRM_SALESFORCE_CLIENT_SECRET": "sf-secret",
        "OUTREACH_CRM_KEYS": json.dumps([Fernet.generate_key().decode()]),
    }


def leaddocket_env(url: str) -> dict[str, str]:
    """`OUTREACH_*` variables that let a connection point at a fake Lead Docket firm at `url`."""
    return {"OUTREACH_CRM_LEADDOCKET_URL_PATTERN": "^http://127\\.0\\.0\\.1:\\d+$",
            "OUTREACH_CRM_KEYS": json.dumps([Fernet.generate_key().decode()])}  # fmt: skip
