"""Which local dates are blacked out: custom dates and holiday presets (observed days included)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays


@lru_cache(maxsize=256)
def _preset_dates(preset: str, year: int) -> frozenset[date]:
    if preset == "us_federal":
        calendar = holidays.country_holidays("US", years=year, observed=True)
    elif preset.startswith("us_state:"):
        calendar = holidays.country_holidays("US", subdiv=preset.split(":", 1)[1], years=year, observed=True)
    else:
        raise ValueError(f"unknown holiday preset {preset!r}")
    return frozenset(calendar.keys())


def blackout_set(custom: tuple[date, ...], presets: tuple[str, ...], years: range) -> frozenset[date]:
    """Every blacked-out date in `years`."""
    out: set[date] = set(custom)
    for preset in presets:
        for year in years:
            out |= _preset_dates(preset, year)
    return frozenset(out)
