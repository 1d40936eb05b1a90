"""Steps in flight whose outcome never comes (a lost callback that even the dialer's reconciliation could
not settle, a message lost with its service) would keep a contact `active` and its campaign open for good.
Each is watched by wall-clock time (a virtual business clock may jump days while a call is in flight), and
after the limit the enrollment ends `errored` with the reason; an outcome arriving later is stale."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from outreach_scheduler.domain.enrollment import timed_out
from outreach_scheduler.handlers.deps import Deps

logger = logging.getLogger(__name__)


@dataclass
class InFlightWatch:
    """When this process first saw each step in flight (enrollment, step key), in monotonic seconds."""

    seen: dict[tuple[str, str], float] = field(default_factory=dict)


async def fail_stuck_steps(deps: Deps, watch: InFlightWatch, *, limit_s: float) -> int:
    """End the enrollments whose step has been in flight for `limit_s` of this process's watch; how many."""
    now = time.monotonic()
    active = await deps.enrollments.in_flight()
    current = {(e.doc_id, e.in_flight_key or ""): e for e in active}
    watch.seen = {k: watch.seen.get(k, now) for k in current}
    ended = 0
    for key, enrollment in current.items():
        if now - watch.seen[key] < limit_s:
            continue
        hours = limit_s / 3600
        updated = timed_out(enrollment, f"no outcome for step {enrollment.step_index + 1} within {hours:g} h")
        if await deps.transition(enrollment, updated):
            logger.warning("enrollment %s: step %s had no outcome in %.0f s", enrollment.doc_id, key[1], limit_s)
            watch.seen.pop(key, None)
            ended += 1
    return ended
