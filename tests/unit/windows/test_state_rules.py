"""Every state row at its edges: the minute before the state's start is refused and its start allowed, the
minute before its end allowed and its end refused, per kind of day; banned days and legal holidays refused
all day; and the federal floor for a state without a row."""

from __future__ import annotations

import csv
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from outreach_contracts.window import WEEKDAYS, ContactWindow
from outreach_windows import ContactInfo, is_eligible
from outreach_windows.compliance import compliance_floor
from outreach_windows.state_rules import STATE_RULES

pytestmark = pytest.mark.unit

ALWAYS = ContactWindow(days=list(WEEKDAYS), start="00:00", end="24:00")
MONDAY, SATURDAY, SUNDAY = date(2026, 3, 9), date(2026, 3, 14), date(2026, 3, 15)
THANKSGIVING = date(2026, 11, 26)  # a Thursday, a legal holiday in every state

# The hours each state allows, written from the statutes, not from the table under test: "closed" where no
# call may be made that day; legal holidays banned, "yes" or "no".
EXPECTED = {
    row["state"]: (row["zone"], row["weekdays"], row["saturday"], row["sunday"], row["legal_holidays_banned"] == "yes")
    for row in csv.DictReader((Path(__file__).parent / "state_hours.csv").read_text().splitlines())
}


def at(day: date, clock: str, zone: str) -> datetime:
    hours, minutes = (int(x) for x in clock.split(":"))
    return datetime.combine(day, time(hours, minutes), ZoneInfo(zone))


def test_every_row_has_its_expectation() -> None:
    assert set(STATE_RULES) == set(EXPECTED)


@pytest.mark.parametrize("state", sorted(EXPECTED))
def test_each_state_at_its_edges(state: str) -> None:
    zone, weekdays, saturday, sunday, holidays = EXPECTED[state]
    contact = ContactInfo(timezone=zone, state=state)
    for day, hours in ((MONDAY, weekdays), (SATURDAY, saturday), (SUNDAY, sunday)):
        if hours == "closed":
            for clock in ("00:00", "12:00", "23:59"):
                assert not is_eligible(at(day, clock, zone), ALWAYS, contact), (state, day, clock)
            continue
        start, end = (at(day, clock, zone) for clock in hours.split("-"))
        minute = timedelta(minutes=1)
        assert not is_eligible(start - minute, ALWAYS, contact), (state, day, "before start")
        assert is_eligible(start, ALWAYS, contact), (state, day, "start")
        assert is_eligible(end - minute, ALWAYS, contact), (state, day, "before end")
        assert not is_eligible(end, ALWAYS, contact), (state, day, "end")
    noon = at(THANKSGIVING, "12:00", zone)
    assert is_eligible(noon, ALWAYS, contact) is not holidays, (state, "legal holiday")


def test_a_state_without_a_row_follows_the_federal_floor() -> None:
    contact = ContactInfo(timezone="America/New_York", state="NY")
    assert not is_eligible(at(SUNDAY, "07:59", "America/New_York"), ALWAYS, contact)
    assert is_eligible(at(SUNDAY, "08:00", "America/New_York"), ALWAYS, contact)
    assert is_eligible(at(THANKSGIVING, "20:59", "America/New_York"), ALWAYS, contact)
    assert not is_eligible(at(THANKSGIVING, "21:00", "America/New_York"), ALWAYS, contact)


def test_two_states_apply_at_once_and_the_stricter_wins() -> None:
    floor = compliance_floor("us_tcpa", ["TX", "RI"])
    assert floor is not None
    assert floor.week[0] == (9 * 60, 18 * 60)  # TX 9-21 and RI 9-18
    assert floor.week[5] == (10 * 60, 17 * 60)
    assert floor.week[6] is None  # RI bans Sundays
    assert floor.holiday_states == ("RI",)
    assert compliance_floor("none", ["TX"]) is None
