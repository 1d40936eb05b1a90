"""Many messages of one contract model that differ in a few fields, encoded in bulk: the fields they share
are encoded once, from a model that was validated; each message's own fields are encoded and joined in.
The JSON holds what the model's own encoding holds (its fields in another order); tests check encoders
built on this against the models."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from outreach_contracts.envelope import Envelope
from pydantic_core import to_json


class SharedFields:
    """The encoding of `first`'s fields but its `own` ones, to join each message's own fields to."""

    def __init__(self, first: Envelope, own: Iterable[str]) -> None:
        dumped = first.model_dump(mode="json")
        self.own = tuple(name for name in own if name in dumped)
        self.kind: str = getattr(first, "type", type(first).__name__)
        self._rest = b"," + to_json({k: v for k, v in dumped.items() if k not in self.own})[1:]

    def encode(self, own: dict[str, Any]) -> bytes:
        """The JSON of a message whose own fields are `own` (exactly the names in `self.own`)."""
        return to_json(own)[:-1] + self._rest
