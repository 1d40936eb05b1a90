"""Where a phone number is: country, US state, NANP area code (for local presence and for the stricter
calling rules of the state a number belongs to)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import geocoder

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
}  # fmt: skip
_CODES = set(US_STATES.values())


@dataclass(frozen=True)
class Place:
    """A number's country (ISO), state (two letters, when known) and NANP area code (when +1)."""

    country: str | None
    state: str | None
    area_code: str | None


@lru_cache(maxsize=65536)
def place_of(phone: str) -> Place:
    """The place of an E.164 number, from phonenumbers' metadata and geocoder."""
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return Place(None, None, None)
    country = phonenumbers.region_code_for_number(parsed)
    national = str(parsed.national_number)
    area = national[:3] if parsed.country_code == 1 and len(national) == 10 else None
    return Place(country, _state(geocoder.description_for_number(parsed, "en")), area)


def _state(description: str) -> str | None:
    """ "Los Angeles, CA" -> CA; "California" -> CA."""
    if not description:
        return None
    tail = description.rsplit(",", 1)[-1].strip()
    if tail in _CODES:
        return tail
    return US_STATES.get(description.strip()) or US_STATES.get(tail)
