"""Normalise provider call statuses into Outreach outcomes."""

from __future__ import annotations

import uuid

TERMINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
UNREACHABLE_SIP = frozenset({"404", "410", "484", "604"})
UNREACHABLE_TWILIO = frozenset({"13224", "13223", "21211", "21217", "21214"})


def normalise(
    status: str, *, answered_by: str | None = None, sip_code: str | None = None, error_code: str | None = None
) -> str | None:
    """The outcome of a terminal status, or None for a status that is not terminal."""
    if status not in TERMINAL_STATUSES:
        return None
    if (sip_code and sip_code in UNREACHABLE_SIP) or (error_code and error_code in UNREACHABLE_TWILIO):
        return "unreachable"
    if status == "completed":
        if answered_by and answered_by.startswith("machine"):
            return "voicemail"
        if answered_by == "fax":
            return "failed"
        return "answered_human"
    return {"busy": "busy", "no-answer": "no_answer", "failed": "failed", "canceled": "canceled"}[status]


def event_id(key: str, kind: str) -> uuid.UUID:
    """The fixed event id of a call's `placed` or `completed` event: published twice (after a crash, or by a
    callback and the provider's answer at once), it is one event to every consumer."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"outreach:call:{key}:{kind}")
