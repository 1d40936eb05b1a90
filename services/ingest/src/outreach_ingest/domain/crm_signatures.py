"""GoHighLevel's and monday.com's webhook signatures, and where each CRM's webhooks are sent.

GoHighLevel signs the raw body with HighLevel's Ed25519 key (`X-GHL-Signature`, base64; the RSA
`X-WH-Signature` was retired on 2026-07-01) and stamps the event with its `timestamp`: an event more than
five minutes old is refused, so a captured one cannot be replayed later. monday.com sends a JWT (HS256, the
app's signing secret) in `Authorization`; webhooks made with a personal token carry no JWT, so theirs are
told apart by a key in the URL known only to Outreach and monday."""

from __future__ import annotations

import base64
import binascii
import hmac
from datetime import datetime, timedelta

import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

MAX_AGE = timedelta(minutes=5)


def webhook_url(public_url: str, kind: str, connection_id: str) -> str | None:
    """Where the CRM sends a connection's webhooks (None: none are taken from it). GoHighLevel has one URL
    per app (its events name their location); the others one per connection."""
    base = public_url.rstrip("/") + "/webhooks/crm"
    if kind in ("hubspot", "monday"):
        return f"{base}/{kind}/{connection_id}"
    return f"{base}/gohighlevel" if kind == "gohighlevel" else None


def gohighlevel_signed(public_key_pem: str, body: bytes, signature: str) -> bool:
    """Whether `signature` (base64) is HighLevel's Ed25519 signature of `body`."""
    try:
        key = load_pem_public_key(public_key_pem.encode())
        if not isinstance(key, Ed25519PublicKey):
            return False
        key.verify(base64.b64decode(signature, validate=True), body)
    except (ValueError, InvalidSignature, binascii.Error):
        return False
    return True


def recent(stamp: object, now: datetime) -> bool:
    """Whether an event's ISO timestamp is within five minutes of `now`."""
    try:
        at = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return False
    return at.tzinfo is not None and abs(now - at) <= MAX_AGE


def monday_signed(signing_secret: str, authorization: str) -> bool:
    """Whether `authorization` is a JWT signed with the app's signing secret (and not expired)."""
    try:
        jwt.decode(authorization.removeprefix("Bearer ").strip(), signing_secret, algorithms=["HS256"],
                   options={"verify_aud": False})  # fmt: skip
    except jwt.PyJWTError:
        return False
    return True


def same_key(expected: str, given: str) -> bool:
    """A URL key compared in constant time."""
    return bool(expected) and hmac.compare_digest(expected.encode(), given.encode())
