"""API keys and session tokens: random, shown once, stored only as a hash."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

KEY_PREFIX = "ork_"
_KEY = re.compile(r"^ork_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class NewKey:
    """A key as its owner sees it once (`secret`), and what is stored of it."""

    key_id: str
    secret: str
    digest: str

    @property
    def display(self) -> str:
        """The recognisable part kept for lists: prefix and id."""
        return f"{KEY_PREFIX}{self.key_id}_…"


def digest(secret: str) -> str:
    """SHA-256 of a credential (keys and tokens carry 256 random bits, so no slow hash is needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key() -> NewKey:
    """`ork_<12 hex id>_<43 base64url chars>`: 48 bits of id and 256 bits of secret."""
    key_id = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    return NewKey(key_id=key_id, secret=secret, digest=digest(secret))


def key_id_of(secret: str) -> str | None:
    """The id inside a well-formed key, else None."""
    match = _KEY.match(secret)
    return match.group(1) if match else None


def new_token() -> str:
    """A session or invitation token (256 bits)."""
    return secrets.token_urlsafe(32)
