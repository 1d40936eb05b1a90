"""Call caps: per contact across a workspace's campaigns, and the state laws' per-campaign 24-hour caps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from outreach_windows.compliance import max_calls_per_24h

DAY = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class RecentCall:
    """A call placed to a contact's number in the last 24 hours."""

    campaign_id: str
    at: datetime


def cap_release(
    recent: list[RecentCall], *, campaign_id: str, states: tuple[str, ...], compliance: str, workspace_cap: int | None
) -> datetime | None:
    """None when another call is allowed now; else the instant the oldest counted call leaves the 24 h window."""
    limits: list[tuple[int, list[datetime]]] = []
    if workspace_cap is not None:
        limits.append((workspace_cap, sorted(c.at for c in recent)))
    state_cap = max_calls_per_24h(compliance, states)
    if state_cap is not None:
        limits.append((state_cap, sorted(c.at for c in recent if c.campaign_id == campaign_id)))
    release: datetime | None = None
    for cap, times in limits:
        if len(times) >= cap:
            candidate = times[len(times) - cap] + DAY  # when only cap-1 of them remain inside 24 h
            release = candidate if release is None else max(release, candidate)
    return release
