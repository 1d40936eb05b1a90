"""Where a phone number is: country, US state, NANP area code (for local presence and for the stricter
calling rules of the state a number belongs to). The state of a +1 number is its area code's, from our
table (`area_codes.json`, checked against phonenumbers' geocoder by a test): the geocoder itself takes
seconds to import."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import phonenumbers

US_STATES = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA", "Colorado": "CO",
    "Connecticut": "CT", "Delaware": "DE", "Florida": "FL", "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID",
    "Illinois": "IL", "Indiana": "IN", "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA",
    "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI", "Minnesota": "MN",
    "Mississippi": "MS", "Missouri": "MO", "Montana": "MT", "Nebraska": "NE", "Nevada": "NV",
    "New Hampshire": "NH", "New Jersey": "NJ", "New Mexico": "NM", "New York": "NY", "North Carolina": "NC",
    "North Dakota": "ND", "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA",
    "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN", "Texas": "TX",
    "Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington": "WA", "West Virginia": "WV",
    "Wisconsin": "WI", "Wyoming": "WY", "Washington D.C.": "DC", "Washington DC": "DC",
    "Washington State": "WA",
}  # fmt: skip
AREA_CODES_FILE = Path(__file__).with_name("area_codes.json")


@dataclass(frozen=True)
class Place:
    """A number's country (ISO), state (two letters, when known) and NANP area code (when +1)."""

    country: str | None
    state: str | None
    area_code: str | None


@lru_cache(maxsize=65536)
def place_of(phone: str) -> Place:
    """The place of an E.164 number, from phonenumbers' metadata and our table of area codes."""
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return Place(None, None, None)
    country = phonenumbers.region_code_for_number(parsed)
    national = str(parsed.national_number)
    area = national[:3] if parsed.country_code == 1 and len(national) == 10 else None
    return Place(country, area_state(area) if country == "US" and area else None, area)


@cache
def _area_codes() -> dict[str, str]:
    table: dict[str, str] = json.loads(AREA_CODES_FILE.read_text())
    return table


def area_state(area: str) -> str | None:
    """The U.S. state (two letters) of a NANP area code; None outside the U.S."""
    return _area_codes().get(area)
