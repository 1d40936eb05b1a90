"""Provider failures, sorted into the ones worth retrying and the permanent ones."""

from __future__ import annotations

TWILIO_OPTED_OUT = 21610  # "Attempt to send to unsubscribed recipient": the carrier holds a STOP


class SendError(Exception):
    """A send the provider refused: `retryable` for 429 / 5xx / network trouble, else permanent."""

    def __init__(self, reason: str, *, retryable: bool, code: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.code = code

    @property
    def opted_out(self) -> bool:
        """The recipient opted out at the carrier."""
        return self.code == TWILIO_OPTED_OUT
