"""GoHighLevel's Ed25519 webhook signature, monday.com's JWT and URL key, and where each CRM's webhooks go."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import generate_private_key
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from outreach_ingest.domain.crm_signatures import gohighlevel_signed, monday_signed, recent, same_key, webhook_url

pytestmark = pytest.mark.unit
SECRET = "a-signing-secret-long-enough-for-hs256"


def _pem(key: object) -> str:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()  # type: ignore[attr-defined]


def test_a_gohighlevel_event_is_accepted_only_with_highlevels_signature_of_its_exact_body() -> None:
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    body = b'{"type":"ContactCreate","locationId":"loc1"}'
    signature = base64.b64encode(key.sign(body)).decode()
    assert gohighlevel_signed(_pem(key), body, signature)
    assert not gohighlevel_signed(_pem(key), body + b" ", signature)  # re-serialised or altered
    assert not gohighlevel_signed(_pem(other), body, signature)
    assert not gohighlevel_signed(_pem(key), body, "not base64!")
    assert not gohighlevel_signed(_pem(key), body, "")
    assert not gohighlevel_signed("not a key", body, signature)
    assert not gohighlevel_signed(_pem(generate_private_key(65537, 2048)), body, signature)  # an RSA key


def test_an_event_older_than_five_minutes_is_stale() -> None:
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert recent("2026-12-02T11:56:00.000Z", now)
    assert not recent((now - timedelta(minutes=6)).isoformat(), now)
    assert not recent((now + timedelta(minutes=6)).isoformat(), now)
    assert not recent("2026-12-02T11:59:00", now)  # no zone: not comparable
    assert not recent(None, now) and not recent("yesterday", now)


def test_a_monday_jwt_must_be_signed_with_the_apps_secret_and_unexpired() -> None:
    claims = {"accountId": 1, "exp": int(time.time()) + 60}
    assert monday_signed(SECRET, jwt.encode(claims, SECRET, algorithm="HS256"))
    assert monday_signed(SECRET, "Bearer " + jwt.encode(claims, SECRET, algorithm="HS256"))
    assert not monday_signed(SECRET, jwt.encode(claims, SECRET + "x", algorithm="HS256"))
    assert not monday_signed(SECRET, jwt.encode({"exp": int(time.time()) - 60}, SECRET, algorithm="HS256"))
    assert not monday_signed(SECRET, "") and not monday_signed(SECRET, "not-a-jwt")


def test_url_keys_and_webhook_addresses() -> None:
    assert same_key("k1", "k1") and not same_key("k1", "k2") and not same_key("", "")
    base = "https://outreach.example.com/"
    assert webhook_url(base, "hubspot", "crm_1") == "https://outreach.example.com/webhooks/crm/hubspot/crm_1"
    assert webhook_url(base, "monday", "crm_1") == "https://outreach.example.com/webhooks/crm/monday/crm_1"
    assert webhook_url(base, "gohighlevel", "crm_1") == "https://outreach.example.com/webhooks/crm/gohighlevel"
    assert webhook_url(base, "salesforce", "crm_1") is None and webhook_url(base, "leaddocket", "crm_1") is None
