"""A campaign run ahead of time on a virtual clock, placing nothing: the same windows (outreach_windows),
the same flow rules (delays, step windows, conditions on the previous outcome, exit on answer), and the
dialer's limits (calls per second, calls in flight). Pure and seeded: the same input gives the same forecast.

Simplifications, named in the output's `assumptions`: each call takes `call_seconds`; a call is answered
with probability `answer_rate` (an unanswered call counts as `no_answer` for step conditions); retries are
not simulated; texts and emails are not paced."""

from __future__ import annotations

import heapq
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from outreach_windows import ContactInfo
from outreach_windows.eligibility import finder

from outreach_scheduler.domain.campaign import CampaignSpec, PhoneStep

UNANSWERED = "no_answer"
SPAN_DAYS = 400


@dataclass(frozen=True)
class Limits:
    """What paces the calls."""

    calls_per_second: float = 5.0
    concurrency: int = 100
    call_seconds: float = 60.0
    answer_rate: float = 0.3
    seed: int = 7


@dataclass
class Forecast:
    """What the run found."""

    completes_at: datetime | None
    steps_per_day: dict[str, Counter[str]] = field(default_factory=dict)
    steps_per_hour: Counter[int] = field(default_factory=Counter)
    peak_concurrency: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        """The forecast as the command prints it with --json."""
        return {
            "completes_at": self.completes_at.isoformat() if self.completes_at else None,
            "steps_per_day": {day: dict(kinds) for day, kinds in sorted(self.steps_per_day.items())},
            "steps_per_hour_utc": {str(h): self.steps_per_hour[h] for h in range(24)},
            "peak_concurrency": self.peak_concurrency,
            "skipped": dict(self.skipped),
            "outcomes": dict(self.outcomes),
        }


def _groups(contacts: list[ContactInfo]) -> tuple[list[int], list[ContactInfo]]:
    """Each contact's group and one contact per group. A North American number's zones and state follow from
    its first six digits (area code and exchange), so contacts sharing those, and their zone and state
    columns, share every window answer; the phone metadata is read once per group, not per contact."""
    keys: dict[tuple[str | None, str | None, str | None], int] = {}
    reps: list[ContactInfo] = []
    out = []
    for c in contacts:
        phone = c.phone or ""
        key = (c.timezone, c.state, phone[:8] if phone.startswith("+1") else phone)
        if key not in keys:
            keys[key] = len(reps)
            reps.append(c)
        out.append(keys[key])
    return out, reps


def run(spec: CampaignSpec, contacts: list[ContactInfo], start: datetime, limits: Limits) -> Forecast:
    """Forecast `spec` for `contacts` from `start` (aware)."""
    rng = random.Random(limits.seed)
    groups, reps = _groups(contacts)
    finders: dict[tuple[int, int], Any] = {}

    def eligible(group: int, step: int, after: datetime) -> datetime | None:
        key = (group, step)
        if key not in finders:
            finders[key] = finder(spec.window, reps[group], spec.flow[step].window, start=start, days=SPAN_DAYS)
        found: datetime | None = finders[key](after)
        return found

    forecast = Forecast(completes_at=None)
    rate = min(limits.calls_per_second, limits.concurrency / max(limits.call_seconds, 0.001))
    gap = timedelta(seconds=1 / rate)
    call_length = timedelta(seconds=limits.call_seconds)
    free_at = start
    call_starts: list[float] = []
    heap = [(start, index, 0) for index in range(len(contacts))] if spec.flow else []
    heapq.heapify(heap)
    finished: datetime | None = None
    while heap:
        due, index, step_index = heapq.heappop(heap)
        step = spec.flow[step_index]
        at = eligible(groups[index], step_index, due)
        if at is None:
            forecast.skipped["never_eligible"] += 1
            continue
        if isinstance(step, PhoneStep):
            if free_at > at and (again := eligible(groups[index], step_index, free_at)) != free_at:
                # the pace pushed the call past the window's end: it waits for the next opening
                if again is None:
                    forecast.skipped["never_eligible"] += 1
                else:
                    heapq.heappush(heap, (again, index, step_index))
                continue
            at = max(at, free_at)
            free_at = at + gap
            call_starts.append(at.timestamp())
            done = at + call_length
            outcome = "answered_human" if rng.random() < limits.answer_rate else UNANSWERED
        else:
            done, outcome = at, "sent"
        forecast.outcomes[f"{step_index + 1} {step.kind} {outcome}"] += 1
        day = forecast.steps_per_day.setdefault(at.date().isoformat(), Counter())
        day[step.kind] += 1
        forecast.steps_per_hour[at.hour] += 1
        finished = max(finished or done, done)
        if outcome == "answered_human" and spec.exit_criteria.answered:
            continue
        following = step_index + 1
        while following < len(spec.flow) and (cond := spec.flow[following].when_previous) and outcome not in cond:
            following += 1  # a step whose condition does not hold is passed over, as the scheduler does
        if following < len(spec.flow):
            heapq.heappush(heap, (done + timedelta(seconds=spec.flow[following].delay.seconds), index, following))
    forecast.completes_at = finished
    if call_starts:
        starts = np.sort(np.array(call_starts))
        overlapping = np.arange(len(starts)) - np.searchsorted(starts, starts - limits.call_seconds, side="right") + 1
        forecast.peak_concurrency = int(overlapping.max())
    return forecast
