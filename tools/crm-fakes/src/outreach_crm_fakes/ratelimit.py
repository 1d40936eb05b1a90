"""A rolling-window request budget per token, as CRMs announce theirs in response headers."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field


@dataclass
class RollingLimit:
    """At most `most` requests in any `interval_s` seconds."""

    most: int
    interval_s: float
    _times: dict[str, deque[float]] = field(default_factory=dict)
    refused: int = 0

    def take(self, who: str) -> tuple[bool, int, float]:
        """Whether a request of `who` may go now, what is left, and when the oldest counted one leaves."""
        now = time.monotonic()
        times = self._times.setdefault(who, deque())
        while times and times[0] <= now - self.interval_s:
            times.popleft()
        if len(times) >= self.most:
            self.refused += 1
            return False, 0, times[0] + self.interval_s - now
        times.append(now)
        return True, self.most - len(times), 0.0
