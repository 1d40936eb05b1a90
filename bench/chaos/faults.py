"""The fault driver: SIGKILLs a random service every few seconds and starts it again; restarts the broker once
and the database once."""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from outreach_devstack.stack import SERVICES, Stack


@dataclass
class Faults:
    """Kills each service `kills_each` times, one every `every_s` seconds, with the two restarts in between."""

    stack: Stack
    kills_each: int
    restart_broker: Callable[[], None]
    restart_database: Callable[[], None]
    rng: random.Random
    every_s: float = 4.0
    kills: Counter[str] = field(default_factory=Counter)
    restarts: Counter[str] = field(default_factory=Counter)
    _next: float = 0.0

    @property
    def planned(self) -> int:
        return self.kills_each * len(SERVICES)

    @property
    def done(self) -> bool:
        return sum(self.kills.values()) >= self.planned and self.restarts["kafka"] and self.restarts["database"]

    def step(self) -> str | None:
        """Do the next fault when it is due; returns what was done."""
        if self.done or time.monotonic() < self._next:
            return None
        self._next = time.monotonic() + self.every_s
        total = sum(self.kills.values())
        if total >= self.planned // 3 and not self.restarts["kafka"]:
            self.restart_broker()
            self.restarts["kafka"] += 1
            return "kafka restarted"
        if total >= 2 * self.planned // 3 and not self.restarts["database"]:
            self.restart_database()
            self.restarts["database"] += 1
            return "database restarted"
        if total >= self.planned:
            return None
        fewest = min(self.kills[s] for s in SERVICES)
        service = self.rng.choice([s for s in SERVICES if self.kills[s] == fewest])
        self.stack.kill(service)
        time.sleep(self.rng.uniform(0.2, 2.0))  # down for a moment, as a crashed pod is
        self.stack.restart(service, timeout=120)
        self.kills[service] += 1
        self.restarts[service] += 1
        return f"{service} killed and restarted"
