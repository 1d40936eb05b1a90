"""What counts as a dependency being away (wait) and what as the message's own failure (dead letters)."""

from __future__ import annotations

import pytest
from aiokafka.errors import KafkaConnectionError
from outreach_common.failures import Outages, unavailable
from pymongo.errors import DuplicateKeyError, NetworkTimeout, ServerSelectionTimeoutError

pytestmark = pytest.mark.unit


class ProviderError(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@pytest.mark.parametrize(
    "exc",
    [
        ServerSelectionTimeoutError("no server"),
        NetworkTimeout("slow"),
        KafkaConnectionError("refused"),
        TimeoutError(),
        ConnectionResetError(),
        ProviderError(503),
    ],
)
def test_outages_are_waited_for(exc: Exception) -> None:
    assert unavailable(exc)


@pytest.mark.parametrize("exc", [ValueError("bad"), KeyError("x"), DuplicateKeyError("dup"), ProviderError(400)])
def test_the_messages_own_failures_are_not(exc: Exception) -> None:
    assert not unavailable(exc)


def test_a_wrapped_outage_is_found_by_its_cause() -> None:
    try:
        try:
            raise NetworkTimeout("slow")
        except NetworkTimeout as inner:
            raise RuntimeError("while storing") from inner
    except RuntimeError as outer:
        assert unavailable(outer)


def test_outages_report_what_is_awaited() -> None:
    outages = Outages()
    outages.begin("t1", NetworkTimeout("slow"))
    assert "NetworkTimeout: slow" in outages.report()["t1"]
    outages.end("t1")
    assert outages.report() == {}
