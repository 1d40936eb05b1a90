"""HubSpot's webhook signature, version 3: base64 of HMAC-SHA256, keyed by the app's client secret, over the
method, the full URI, the raw body and the `X-HubSpot-Request-Timestamp` (milliseconds); a request more
than five minutes old is refused, so a captured one cannot be replayed later."""

from __future__ import annotations

import base64
import hashlib
import hmac

MAX_AGE_MS = 5 * 60 * 1000


def signature(secret: str, *, method: str, uri: str, body: bytes, timestamp: str) -> str:
    """The signature HubSpot sends for this request."""
    message = method.encode() + uri.encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), message, hashlib.sha256).digest()).decode()


def valid(secret: str, *, method: str, uri: str, body: bytes, timestamp: str, given: str, now_ms: int) -> bool:
    """Whether `given` is the signature of a request signed within the last five minutes."""
    if not timestamp.isdigit() or abs(now_ms - int(timestamp)) > MAX_AGE_MS:
        return False
    expected = signature(secret, method=method, uri=uri, body=body, timestamp=timestamp)
    return hmac.compare_digest(expected, given)
