"""The fast scheduling core agrees with the minute-by-minute definition, across DST and odd zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from outreach_contracts.window import WEEKDAYS, ContactWindow, TimeRange
from outreach_windows import ContactInfo, next_eligible
from outreach_windows.compliance import contact_states, max_calls_per_24h
from outreach_windows.eligibility import next_eligible_batch

from tests.unit.windows.brute_force import brute_next

pytestmark = pytest.mark.unit

ZONES = [
    "America/New_York",
    "America/Phoenix",
    "Europe/London",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/Chicago",
    "America/Los_Angeles",
]
# Instants near 2026 DST changes of those zones, and around U.S. holidays.
ANCHORS = [
    datetime(2026, 3, 8, 6, 30, tzinfo=UTC),
    datetime(2026, 11, 1, 5, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    datetime(2026, 4, 4, 14, 0, tzinfo=UTC),
    datetime(2026, 10, 3, 15, 0, tzinfo=UTC),
    datetime(2026, 4, 5, 13, 0, tzinfo=UTC),
    datetime(2026, 9, 26, 13, 0, tzinfo=UTC),
    datetime(2026, 7, 3, 12, 0, tzinfo=UTC),
    datetime(2026, 12, 24, 18, 0, tzinfo=UTC),
    datetime(2026, 1, 19, 3, 0, tzinfo=UTC),
]
PHONES = [
    "+12125550123",
    "+13105550123",
    "+16025550123",
    "+12085550123",
    "+18085550123",
    "+442079460958",
    "+61255501234",
    "+6435550123",
    "+912212345678",
]


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def cases(draw: st.DrawFn) -> tuple[datetime, ContactWindow, ContactInfo, TimeRange | None]:
    start = draw(st.integers(0, 22 * 12)) * 5
    end = draw(st.integers(start // 5 + 1, 288)) * 5
    days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True))
    after = draw(st.sampled_from(ANCHORS)) + timedelta(
        minutes=draw(st.integers(-36 * 60, 36 * 60)), seconds=draw(st.sampled_from([0, 0, 17]))
    )
    blackout = draw(st.lists(st.integers(-2, 6).map(lambda d: (after + timedelta(days=d)).date()), max_size=2))
    window = ContactWindow(
        days=days,
        start=hhmm(start),
        end=hhmm(end),
        timezone={
            "primary": draw(st.sampled_from(["contact", "contact", *ZONES])),
            "fallback": draw(st.sampled_from(ZONES)),
        },
        blackout_dates=blackout,
        holiday_presets=draw(st.sampled_from([[], ["us_federal"], ["us_state:TX"]])),
        compliance=draw(st.sampled_from(["us_tcpa", "none"])),
    )
    contact = draw(
        st.sampled_from(
            [
                ContactInfo(),
                ContactInfo(timezone=draw(st.sampled_from(ZONES))),
                ContactInfo(phone=draw(st.sampled_from(PHONES))),
                ContactInfo(phone=draw(st.sampled_from(PHONES)), state=draw(st.sampled_from(["FL", "MD", "NY", None]))),
            ]
        )
    )
    step = None
    if draw(st.booleans()):
        s = draw(st.integers(0, 20 * 4)) * 15
        step = TimeRange(start=hhmm(s), end=hhmm(draw(st.integers(s // 15 + 1, 96)) * 15))
    return after, window, contact, step


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_agrees_with_the_definition(case: tuple[datetime, ContactWindow, ContactInfo, TimeRange | None]) -> None:
    after, window, contact, step = case
    horizon = 9
    expected = brute_next(after, window, contact, step, days=horizon)
    got = next_eligible(after, window, contact, step)
    if expected is None:
        assert got is None or got > after + timedelta(days=horizon)
    else:
        assert got == expected


def test_after_itself_when_eligible() -> None:
    window = ContactWindow(days=list(WEEKDAYS), start="00:00", end="24:00", compliance="none")
    after = datetime(2026, 3, 8, 6, 30, 12, 345000, tzinfo=UTC)
    assert next_eligible(after, window, ContactInfo(timezone="America/New_York")) == after


def sundays_in_new_york(start: str, end: str) -> ContactWindow:
    """Sundays from `start` to `end`, New York time for everyone, no state rules."""
    return ContactWindow(days=["sun"], start=start, end=end, compliance="none",
                         timezone={"primary": "America/New_York", "fallback": "America/New_York"})  # fmt: skip


def test_spring_forward_gap_is_never_eligible() -> None:
    # New York skips 02:00-03:00 on 2026-03-08: a 02:00-03:00 window has nothing that day.
    window = sundays_in_new_york("02:00", "03:00")
    got = next_eligible(datetime(2026, 3, 8, 0, 0, tzinfo=UTC), window, ContactInfo())
    assert got == datetime(2026, 3, 15, 6, 0, tzinfo=UTC)  # next Sunday 02:00 EDT


def test_fall_back_repeated_hour_is_eligible_twice() -> None:
    window = sundays_in_new_york("01:00", "02:00")
    first = next_eligible(datetime(2026, 11, 1, 0, 0, tzinfo=UTC), window, ContactInfo())
    assert first == datetime(2026, 11, 1, 5, 0, tzinfo=UTC)  # 01:00 EDT
    assert next_eligible(datetime(2026, 11, 1, 6, 0, tzinfo=UTC), window, ContactInfo()) == datetime(
        2026, 11, 1, 6, 0, tzinfo=UTC
    )  # 01:00 EST, the repeated hour


def test_observed_federal_holiday_is_blacked_out() -> None:
    # 2026-07-04 is a Saturday: the holiday is observed on Friday 2026-07-03.
    window = ContactWindow(
        days=["mon", "tue", "wed", "thu", "fri"], start="09:00", end="17:00", holiday_presets=["us_federal"]
    )
    got = next_eligible(datetime(2026, 7, 3, 12, 0, tzinfo=UTC), window, ContactInfo(timezone="America/New_York"))
    assert got == datetime(2026, 7, 6, 13, 0, tzinfo=UTC)


def test_florida_contacts_get_the_stricter_state_hours() -> None:
    window = ContactWindow(days=list(WEEKDAYS), start="00:00", end="24:00")
    contact = ContactInfo(timezone="America/New_York", state="FL")
    # 20:30 EST is inside TCPA's 21:00 but outside Florida's 20:00.
    assert next_eligible(datetime(2026, 1, 6, 1, 30, tzinfo=UTC), window, contact) == datetime(
        2026, 1, 6, 13, 0, tzinfo=UTC
    )


def test_empty_intersection_with_step_window_has_no_answer() -> None:
    window = ContactWindow(days=["mon"], start="09:00", end="10:00")
    step = TimeRange(start="13:00", end="17:00")
    assert next_eligible(datetime(2026, 1, 5, tzinfo=UTC), window, ContactInfo(), step) is None


def test_no_answer_within_400_days() -> None:
    window = ContactWindow(
        days=["mon"],
        start="09:00",
        end="17:00",
        blackout_dates=[date(2026, 1, 5) + timedelta(weeks=w) for w in range(60)],
    )
    assert next_eligible(datetime(2026, 1, 1, tzinfo=UTC), window, ContactInfo()) is None


def test_batch_matches_single_calls() -> None:
    window = ContactWindow(days=["mon", "wed", "fri"], start="10:00", end="16:00", holiday_presets=["us_federal"])
    contacts = [ContactInfo(phone=p) for p in PHONES] * 3
    afters = [ANCHORS[i % len(ANCHORS)] for i in range(len(contacts))]
    assert next_eligible_batch(afters, window, contacts) == [
        next_eligible(a, window, c) for a, c in zip(afters, contacts, strict=True)
    ]


def test_columns_match_single_calls() -> None:
    import numpy as np
    from outreach_windows.eligibility import next_eligible_columns

    window = ContactWindow(days=["mon", "tue", "thu"], start="08:30", end="18:00", holiday_presets=["us_federal"])
    contacts = [ContactInfo(phone=p) for p in PHONES] + [ContactInfo(timezone="Pacific/Chatham", state="FL")]
    groups = np.array([i % len(contacts) for i in range(300)], dtype=np.int64)
    afters = [ANCHORS[i % len(ANCHORS)] + timedelta(minutes=37 * i) for i in range(300)]
    got = next_eligible_columns(np.array([a.timestamp() for a in afters]), groups, contacts, window)
    for after, group, value in zip(afters, groups, got, strict=True):
        expected = next_eligible(after, window, contacts[group])
        assert (expected is None and np.isnan(value)) or expected.timestamp() == value


def test_a_florida_number_gets_florida_hours_without_a_state_column() -> None:
    window = ContactWindow(days=list(WEEKDAYS), start="00:00", end="24:00")
    late = datetime(2026, 1, 6, 1, 30, tzinfo=UTC)  # 20:30 EST
    miami = ContactInfo(phone="+13055550100")  # area code 305: Florida
    assert contact_states(None, "+13055550100") == ("FL",)
    assert next_eligible(late, window, miami) == datetime(2026, 1, 6, 13, 0, tzinfo=UTC)
    new_york = ContactInfo(phone="+12125550100")
    assert next_eligible(late, window, new_york) == late  # New York follows TCPA's 21:00


def test_a_state_column_and_a_number_that_disagree_both_apply() -> None:
    window = ContactWindow(days=list(WEEKDAYS), start="00:00", end="24:00")
    late = datetime(2026, 1, 6, 1, 30, tzinfo=UTC)  # 20:30 EST
    moved = ContactInfo(phone="+12125550100", state="FL")  # a New York number, living in Florida
    assert next_eligible(late, window, moved) == datetime(2026, 1, 6, 13, 0, tzinfo=UTC)
    kept = ContactInfo(phone="+13055550100", state="NY")  # a Florida number, living in New York
    assert contact_states("NY", "+13055550100") == ("FL", "NY")
    assert next_eligible(late, window, kept) == datetime(2026, 1, 6, 13, 0, tzinfo=UTC)
    assert max_calls_per_24h("us_tcpa", contact_states("ny", "+13055550100")) == 3
    assert max_calls_per_24h("none", contact_states(None, "+13055550100")) is None
