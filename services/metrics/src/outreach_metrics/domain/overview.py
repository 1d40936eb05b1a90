"""The campaign overview held in memory (pure): enrollment states ordered by version, funnel counts.

Applying the same state change twice, or an older one after a newer one, changes nothing, so the counts
are exact whatever order Kafka delivers in. Funnel facts are counted once each; which facts are new is
decided by the store (by event id) before they reach this object.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

FUNNEL_KINDS = (
    "attempts",
    "calls_placed",
    "answered_human",
    "voicemail",
    "no_answer",
    "busy",
    "failed",
    "sms_sent",
    "sms_delivered",
    "sms_failed",
    "emails_sent",
    "opt_outs",
)
EXIT_REASONS = ("answered", "opted_out", "unreachable", "stopped")
STATES = ("queued", "active", "errored", "exited", "completed")

FactKey = tuple[str, int | None, str]  # kind, step index, day


@dataclass
class CampaignCounts:
    """Counts of one campaign."""

    states: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    facts: Counter[FactKey] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class Enrollment:
    """The latest known state of one enrollment."""

    version: int
    state: str
    reason: str | None


class Overview:
    """Every campaign's counts; one entry per enrollment (its latest version)."""

    def __init__(self) -> None:
        self._enrollments: dict[tuple[str, str], Enrollment] = {}
        self._campaigns: dict[str, CampaignCounts] = {}

    def reset(self) -> None:
        """Forget everything (before a rebuild)."""
        self._enrollments.clear()
        self._campaigns.clear()

    def campaign_ids(self) -> set[str]:
        """Campaigns with at least one enrollment or fact."""
        return set(self._campaigns)

    def version_of(self, campaign_id: str, contact_id: str) -> int:
        """The version of the enrollment's counted state (0 when none is)."""
        known = self._enrollments.get((campaign_id, contact_id))
        return 0 if known is None else known.version

    def apply_state(self, campaign_id: str, contact_id: str, version: int, state: str, reason: str | None) -> bool:
        """Move one enrollment to `state` when `version` is newer than the one known; False otherwise."""
        key = (campaign_id, contact_id)
        known = self._enrollments.get(key)
        if known is not None and known.version >= version:
            return False
        counts = self._campaigns.setdefault(campaign_id, CampaignCounts())
        if known is not None:
            counts.states[known.state] -= 1
            if known.state == "exited" and known.reason:
                counts.reasons[known.reason] -= 1
        self._enrollments[key] = Enrollment(version, state, reason)
        counts.states[state] += 1
        if state == "exited" and reason:
            counts.reasons[reason] += 1
        return True

    def add_fact(self, campaign_id: str, kind: str, step_index: int | None, hour: str, count: int = 1) -> None:
        """Count `count` new funnel facts (the caller has made sure they are new) of an hour (UTC,
        `2026-03-09T14`; a day, `2026-03-09`, for rows stored before hours were kept)."""
        self._campaigns.setdefault(campaign_id, CampaignCounts()).facts[(kind, step_index, hour)] += count

    def view(self, campaign_id: str) -> dict[str, Any]:
        """Totals by state and exit reason, and the funnel overall, per step, per day and per hour (UTC)."""
        counts = self._campaigns.get(campaign_id, CampaignCounts())
        funnel: Counter[str] = Counter()
        by_step: dict[int, Counter[str]] = {}
        by_day: dict[str, Counter[str]] = {}
        by_hour: dict[str, Counter[str]] = {}
        for (kind, step, hour), n in counts.facts.items():
            funnel[kind] += n
            if step is not None:
                by_step.setdefault(step, Counter())[kind] += n
            by_day.setdefault(hour[:10], Counter())[kind] += n
            if len(hour) > 10:
                by_hour.setdefault(hour, Counter())[kind] += n
        return {
            "total": sum(counts.states.values()),
            **{state: counts.states.get(state, 0) for state in STATES},
            "exited_by_reason": {reason: counts.reasons.get(reason, 0) for reason in EXIT_REASONS},
            "funnel": {kind: funnel.get(kind, 0) for kind in FUNNEL_KINDS} | dict(funnel),
            "funnel_by_step": {str(step): dict(by_step[step]) for step in sorted(by_step)},
            "funnel_by_day": {day: dict(by_day[day]) for day in sorted(by_day)},
            "funnel_by_hour": {hour: dict(by_hour[hour]) for hour in sorted(by_hour)},
        }
