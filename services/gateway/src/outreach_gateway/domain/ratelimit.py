"""Rate limits per key and per person: a token bucket each, refilled at a steady rate."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class Buckets:
    """`rate` requests a second on average, `burst` at once; time is passed in (seconds, monotonic)."""

    rate: float
    burst: int
    _state: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, who: str, now: float) -> float | None:
        """None when `who` may go on (one token taken); else seconds until a token is there."""
        tokens, at = self._state.get(who, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.rate)
        if tokens >= 1.0:
            self._state[who] = (tokens - 1.0, now)
            return None
        self._state[who] = (tokens, now)
        return (1.0 - tokens) / self.rate

    @staticmethod
    def retry_after(wait_s: float) -> str:
        """The `Retry-After` header value: whole seconds, at least one."""
        return str(max(1, math.ceil(wait_s)))
