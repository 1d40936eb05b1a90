"""The contact window: when a contact may be reached (same JSON in the API, files and check commands)."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import Field, field_validator, model_validator

from outreach_contracts.envelope import Frozen

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
_PRESET = re.compile(r"^us_federal$|^us_state:[A-Z]{2}$")


def minutes_of(hhmm: str) -> int:
    """Minutes after midnight of an `HH:MM` string (`24:00` is 1440)."""
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=4096)
def check_zone(name: str) -> str:
    """Return `name` if it is a known IANA zone, else raise ValueError."""
    if name not in _known_zones():
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {name!r}") from exc
    return name


class TimeRange(Frozen):
    """A daily time range, start inclusive, end exclusive (`24:00` allowed as end)."""

    start: str = Field(description="Start, HH:MM, inclusive", examples=["09:00"])
    end: str = Field(description="End, HH:MM, exclusive; 24:00 means midnight", examples=["19:00"])

    @field_validator("start", "end")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("must be HH:MM between 00:00 and 24:00")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.start == "24:00":
            raise ValueError("start may not be 24:00")
        if minutes_of(self.end) <= minutes_of(self.start):
            raise ValueError("end must be after start")
        return self


class WindowZone(Frozen):
    """Which zone the window is read in."""

    primary: str = Field(
        default="contact",
        description='"contact" (each contact\'s own zone) or an IANA zone for everyone',
        examples=["contact"],
    )
    fallback: str = Field(
        default="America/New_York",
        description="IANA zone used when a contact's zone is unknown",
        examples=["America/Chicago"],
    )

    @field_validator("primary")
    @classmethod
    def _primary(cls, value: str) -> str:
        return value if value == "contact" else check_zone(value)

    @field_validator("fallback")
    @classmethod
    def _fallback(cls, value: str) -> str:
        return check_zone(value)


class ContactWindow(TimeRange):
    """Days, hours, zone, blackout dates, holiday presets and the compliance profile."""

    days: list[Weekday] = Field(min_length=1, description="Allowed weekdays", examples=[["mon", "tue"]])
    start: str = Field(default="09:00", description="Start, HH:MM, inclusive", examples=["09:00"])
    end: str = Field(default="19:00", description="End, HH:MM, exclusive; 24:00 allowed", examples=["19:00"])
    timezone: WindowZone = Field(default_factory=WindowZone, description="Zone the window is read in")
    blackout_dates: list[date] = Field(
        default_factory=list, description="Dates never eligible (local)", examples=[["2026-12-24"]]
    )
    holiday_presets: list[str] = Field(
        default_factory=list, description="Holiday calendars to black out", examples=[["us_federal", "us_state:TX"]]
    )
    compliance: Literal["us_tcpa", "none"] = Field(
        default="us_tcpa", description="Compliance floor profile", examples=["us_tcpa"]
    )

    @field_validator("holiday_presets")
    @classmethod
    def _presets(cls, value: list[str]) -> list[str]:
        for preset in value:
            if not _PRESET.match(preset):
                raise ValueError(f"unknown holiday preset {preset!r} (us_federal or us_state:XX)")
        return value
