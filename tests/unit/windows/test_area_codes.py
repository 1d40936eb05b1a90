"""Our table of U.S. area codes (area code -> state) agrees with phonenumbers' geocoder, which it stands in
for at run time (the geocoder loads every country's place names on import: seconds a command should not
pay). When phonenumbers is upgraded and this fails, write the table again:
`.venv/bin/python -m tests.unit.windows.test_area_codes`."""

from __future__ import annotations

import json
from collections import Counter, defaultdict

import pytest
from outreach_windows.places import AREA_CODES_FILE, US_STATES, area_state

pytestmark = pytest.mark.unit


def from_geocoder() -> dict[str, str]:
    """Each U.S. area code with the state most of its geocoder entries name (a few exchanges of an area
    code are described by a neighbouring city across a state line, e.g. one prefix of NJ's 201 as "New
    York, NY"; calling rules follow the area code)."""
    from phonenumbers.geodata import GEOCODE_DATA

    named: dict[str, Counter[str]] = defaultdict(Counter)
    for prefix, names in GEOCODE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4:
            description = names.get("en", "")
            tail = description.rsplit(",", 1)[-1].strip()
            state = tail if tail in US_STATES.values() else US_STATES.get(description) or US_STATES.get(tail)
            if state:
                named[prefix[1:4]][state] += 1
    return {area: states.most_common(1)[0][0] for area, states in sorted(named.items())}


def test_the_table_is_the_geocoders() -> None:
    assert json.loads(AREA_CODES_FILE.read_text()) == from_geocoder()


@pytest.mark.parametrize(
    ("area", "state"),
    [("212", "NY"), ("201", "NJ"), ("206", "WA"), ("808", "HI"), ("907", "AK"), ("202", "DC"), ("416", None)],
)
def test_area_state(area: str, state: str | None) -> None:
    assert area_state(area) == state


if __name__ == "__main__":
    AREA_CODES_FILE.write_text(json.dumps(from_geocoder(), indent=0, sort_keys=True) + "\n")
    print(f"wrote {AREA_CODES_FILE}")
