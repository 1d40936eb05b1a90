"""CRM tokens encrypted at rest: Fernet (AES-128-CBC with HMAC-SHA256) under keys from settings; the first
key encrypts, every key decrypts, so a key is rotated by putting a new one first and re-encrypting."""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SecretsUnreadableError(Exception):
    """Stored credentials no configured key opens (a key was removed before re-encryption)."""


class TokenBox:
    """Seals and opens credentials (a JSON object) with the configured keys."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed (OUTREACH_CRM_KEYS)")
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])

    def seal(self, secrets: dict[str, Any]) -> str:
        """Encrypted with the first key."""
        return self._fernet.encrypt(json.dumps(secrets, sort_keys=True).encode()).decode()

    def open(self, sealed: str) -> dict[str, Any]:
        """Decrypted with whichever key sealed it."""
        try:
            opened: dict[str, Any] = json.loads(self._fernet.decrypt(sealed.encode()))
        except InvalidToken as exc:
            raise SecretsUnreadableError("no configured key opens these credentials") from exc
        return opened

    def rotate(self, sealed: str) -> str:
        """The same credentials sealed with the first key."""
        return self._fernet.rotate(sealed.encode()).decode()

    @staticmethod
    def new_key() -> str:
        """A fresh key (url-safe base64 of 32 random bytes)."""
        return Fernet.generate_key().decode()
