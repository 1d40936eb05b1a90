"""What the simulated network does with each call: deterministic per number, or a weighted distribution."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import BaseModel, Field

Outcome = Literal["answered_human", "voicemail", "no_answer", "busy", "failed", "unreachable"]


class Behaviour(BaseModel):
    """One call's fate and timing."""

    outcome: Outcome = "answered_human"
    ring_s: float = Field(default=0.05, ge=0)
    duration_s: float = Field(default=0.1, ge=0)
    sip_code: int | None = None
    lose_final_callback: bool = Field(
        default=False, description="Never send the final status callback (Twilio does not retry it by default)"
    )


class Weighted(Behaviour):
    """A behaviour with a weight in a distribution."""

    weight: float = Field(default=1.0, gt=0)


class MessageBehaviour(BaseModel):
    """What the Messages API does for one recipient: transient errors first, then an error or a delivery."""

    transient_errors: int = Field(default=0, ge=0, description="Answer this many requests with `transient_status`")
    transient_status: Literal[429, 500, 503] = 503
    error_code: int | None = Field(default=None, description="Twilio error code to answer with (e.g. 21610)")
    final_status: Literal["delivered", "undelivered", "failed"] = "delivered"


class Scenario(BaseModel):
    """Per-number behaviours first, then the distribution, then the default."""

    default: Behaviour = Field(default_factory=Behaviour)
    numbers: dict[str, Behaviour] = Field(default_factory=dict)
    distribution: list[Weighted] = Field(default_factory=list)
    messages: dict[str, MessageBehaviour] = Field(default_factory=dict, description="Per-recipient SMS behaviour")
    seed: int | None = None

    def pick(self, to: str, rng: random.Random) -> Behaviour:
        """The behaviour for a call to `to`."""
        if to in self.numbers:
            return self.numbers[to]
        if self.distribution:
            return rng.choices(self.distribution, weights=[d.weight for d in self.distribution])[0]
        return self.default


def mix(*rows: tuple[Outcome, float, float | None, float]) -> list[dict[str, object]]:
    """A distribution written as a table: (outcome, ring seconds, talk seconds or None, weight) per row, as
    JSON."""
    return [{"outcome": o, "ring_s": ring, **({"duration_s": talk} if talk is not None else {}), "weight": weight}
            for o, ring, talk, weight in rows]  # fmt: skip
