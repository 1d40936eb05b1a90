"""Caller id selection, number places, agent TwiML and the shared pace (pure parts of the dialer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from outreach_dialer.domain.agents import connect_twiml, with_params
from outreach_dialer.domain.pacing import first_free_slot, slot_time
from outreach_windows.places import Place, place_of
from outreach_windows.presence import Candidate, choose, usable

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)


def number(e164: str, **kw: object) -> Candidate:
    return Candidate(number=e164, place=place_of(e164), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("phone", "place"),
    [
        ("+12125550100", Place("US", "NY", "212")),
        ("+13105550100", Place("US", "CA", "310")),
        ("+14165550100", Place("CA", None, "416")),
        ("+442079460958", Place("GB", None, None)),
        ("nonsense", Place(None, None, None)),
    ],
)
def test_place_of(phone: str, place: Place) -> None:
    assert place_of(phone) == place


def test_local_presence_prefers_area_code_then_state_then_country() -> None:
    pool = [number("+12125550100"), number("+13105550100"), number("+14155550100"), number("+442079460958")]
    la = place_of("+13105551234")
    assert choose(pool, contact=la, contact_state=None, now=NOW).number == "+13105550100"  # type: ignore[union-attr]
    san_diego = place_of("+16195551234")
    picked = choose(pool, contact=san_diego, contact_state=None, now=NOW)
    assert picked is not None and picked.number in {"+13105550100", "+14155550100"}  # same state
    ohio = place_of("+12165551234")
    assert choose(pool, contact=ohio, contact_state=None, now=NOW).number == "+12125550100"  # type: ignore[union-attr]
    assert choose(pool, contact=ohio, contact_state="NY", now=NOW).number == "+12125550100"  # type: ignore[union-attr]


def test_without_local_presence_the_least_recently_used_number_wherever_it_is() -> None:
    local = number("+13105550100", last_used_at=NOW - timedelta(minutes=1))
    far = number("+12125550100", last_used_at=NOW - timedelta(minutes=9))
    la = place_of("+13105551234")
    assert choose([local, far], contact=la, contact_state=None, now=NOW).number == "+13105550100"  # type: ignore[union-attr]
    picked = choose([local, far], contact=la, contact_state=None, now=NOW, local_presence=False)
    assert picked is not None and picked.number == "+12125550100"


def test_rotation_is_least_recently_used_within_a_tier() -> None:
    a = number("+13105550100", last_used_at=NOW - timedelta(minutes=1))
    b = number("+14155550100", last_used_at=NOW - timedelta(minutes=5))
    c = number("+16505550100")  # never used
    sd = place_of("+16195551234")
    assert [choose(p, contact=sd, contact_state=None, now=NOW).number for p in ([a, b, c], [a, b])] == [  # type: ignore[union-attr]
        "+16505550100",
        "+14155550100",
    ]


def test_caps_and_cool_down() -> None:
    uses = tuple(NOW - timedelta(minutes=m) for m in (5, 10, 70))
    assert not usable(number("+12125550100", per_hour=2, uses=uses), NOW)
    assert usable(number("+12125550100", per_hour=3, uses=uses), NOW)
    assert not usable(number("+12125550100", per_day=3, uses=uses), NOW)
    assert not usable(number("+12125550100", cooldown_s=600, last_used_at=NOW - timedelta(minutes=5)), NOW)
    assert usable(number("+12125550100", cooldown_s=60, last_used_at=NOW - timedelta(minutes=5)), NOW)
    capped = [number("+12125550100", per_hour=1, uses=(NOW,))]
    assert choose(capped, contact=place_of("+12125551234"), contact_state=None, now=NOW) is None


def test_agent_addresses_and_parameters() -> None:
    params = {"first_name": "Ada & Co", "contact_id": "ct1"}
    assert (
        with_params("https://a.example/twiml", params) == "https://a.example/twiml?first_name=Ada+%26+Co&contact_id=ct1"
    )
    assert connect_twiml("twiml", "https://a.example", params) is None
    sip = connect_twiml("sip", "sip:agent@pbx.example.com", params)
    assert (
        sip
        == "<Response><Dial><Sip>sip:agent@pbx.example.com?X-first_name=Ada+%26+Co&amp;X-contact_id=ct1</Sip></Dial>"
        "</Response>"
    )
    stream = connect_twiml("stream", "wss://voice.example/ws", params)
    assert stream is not None and '<Parameter name="first_name" value="Ada &amp; Co"/>' in stream


def test_pace_slots_are_taken_in_order_and_never_in_the_past() -> None:
    assert first_free_slot(10.0, 2.0) == 20 and slot_time(20, 2.0) == 10.0
    assert first_free_slot(10.1, 2.0) == 21  # slot 20 has begun: the next one
    assert first_free_slot(10.0, 2.0, after=25) == 26  # after the last one asked for
    assert first_free_slot(30.0, 2.0, after=25) == 60  # a long pause: no slot in the past
