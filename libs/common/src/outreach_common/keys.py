"""Kafka message keys that name a person without carrying their number (keys end up in traces and logs)."""

from __future__ import annotations

import hashlib


def phone_key(phone: str) -> str:
    """A stable key for messages about a phone number with no contact id: every message about the number
    lands on one partition, in order, and the number is not written in clear (a hash, not a secret: it
    keeps numbers out of traces and logs, it is not encryption)."""
    return "ph_" + hashlib.sha256(phone.encode()).hexdigest()[:24]
