"""Routing of public paths, the scope each action takes, key formats and rate limits."""

from __future__ import annotations

import pytest
from outreach_gateway.domain.access import required_scope, service_for, webhook_service
from outreach_gateway.domain.credentials import digest, key_id_of, new_key
from outreach_gateway.domain.ratelimit import Buckets

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/campaigns", "scheduler"),
        ("/campaigns/cmp_1/start", "scheduler"),
        ("/campaigns/cmp_1/overview", "metrics"),
        ("/campaigns/cmp_1/preview", "ingest"),
        ("/overviews", "metrics"),
        ("/imports/imp_1/rejected.csv", "ingest"),
        ("/dnc/+12125550100", "ingest"),
        ("/crm/connections", "ingest"),
        ("/crm/syncs/sync_1/records", "ingest"),
        ("/numbers/import", "dialer"),
        ("/agents/a", "dialer"),
        ("/calls", "dialer"),
        ("/messages", "messenger"),
        ("/templates/preview", "messenger"),
        ("/health", None),
        ("/metrics", None),
        ("/campaignsx", None),
    ],
)
def test_each_public_path_goes_to_its_owner(path: str, service: str | None) -> None:
    assert service_for(path) == service


def test_webhooks_keep_their_path() -> None:
    assert webhook_service("/webhooks/twilio/calls/call_1_x/status") == "dialer"
    assert webhook_service("/webhooks/twilio/messages/inbound") == "messenger"
    assert webhook_service("/unsubscribe/tok") == "messenger"
    assert webhook_service("/webhooks/crm/hubspot/crm_1") == "ingest"
    assert webhook_service("/webhooks/crm/monday/crm_1") == "ingest"
    assert webhook_service("/webhooks/crm/gohighlevel") == "ingest"
    assert webhook_service("/webhooks/crm/salesforce/crm_1") is None
    assert webhook_service("/webhooks/other") is None


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", "/agents", "read"),
        ("PUT", "/agents/a", "admin"),
        ("POST", "/numbers", "admin"),
        ("DELETE", "/dnc/+12125550100", "admin"),
        ("POST", "/dnc", "write"),
        ("POST", "/dnc/imports", "write"),
        ("POST", "/campaigns/c/start", "write"),
        ("HEAD", "/calls", "read"),
        ("POST", "/crm/connections", "admin"),
        ("DELETE", "/crm/connections/crm_1", "admin"),
        ("GET", "/crm/connections", "read"),
        ("GET", "/crm/oauth/hubspot/start", "admin"),
        ("GET", "/crm/oauth/hubspot/callback", "read"),
        ("POST", "/crm/feeds", "write"),
        ("POST", "/crm/feeds/feed_1/sync", "write"),
    ],
)
def test_the_scope_an_action_takes(method: str, path: str, scope: str) -> None:
    assert required_scope(method, path) == scope


def test_keys_are_recognisable_random_and_stored_as_a_hash() -> None:
    first, second = new_key(), new_key()
    assert first.secret.startswith("ork_") and key_id_of(first.secret) == first.key_id
    assert first.secret != second.secret and first.digest == digest(first.secret)
    assert len(first.secret) - len(f"ork_{first.key_id}_") == 43  # 256 bits of secret
    assert first.secret not in first.display
    assert key_id_of("ork_nothex_short") is None and key_id_of("Bearer x") is None


def test_a_bucket_allows_a_burst_then_the_rate() -> None:
    buckets = Buckets(rate=2.0, burst=3)
    assert [buckets.take("k", 0.0) for _ in range(3)] == [None, None, None]
    wait = buckets.take("k", 0.0)
    assert wait == pytest.approx(0.5) and Buckets.retry_after(wait) == "1"
    assert buckets.take("other", 0.0) is None  # each caller has its own bucket
    assert buckets.take("k", 0.5) is None  # one token back after 1/rate seconds
