"""Next-eligible for 1,000,000 contacts over 30 zones, against a plain per-contact loop of the same function."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import numpy as np
from outreach_contracts.window import ContactWindow
from outreach_windows import eligibility
from outreach_windows.days import blackout_set
from outreach_windows.eligibility import ContactInfo, next_eligible, next_eligible_columns

ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "America/Bogota",
    "America/Halifax",
    "America/St_Johns",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Athens",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Adelaide",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Chatham",
]
WINDOW = ContactWindow.model_validate(
    {
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "start": "09:00",
        "end": "19:00",
        "timezone": {"primary": "contact", "fallback": "America/New_York"},
        "holiday_presets": ["us_federal"],
    }
)


def run(n: int = 1_000_000, loop_sample: int = 20_000, seed: int = 7) -> dict[str, float]:
    """Time both ways; the loop is timed on a sample and scaled to `n` (it would take minutes in full)."""
    rng = random.Random(seed)
    contacts = [ContactInfo(timezone=z, state=rng.choice([None, "FL", "NY"])) for z in ZONES]
    base = datetime(2026, 3, 2, tzinfo=UTC).timestamp()
    afters = np.array([base + rng.random() * 14 * 86400 for _ in range(n)])
    groups = np.array([rng.randrange(len(contacts)) for _ in range(n)], dtype=np.int64)

    blackout_set((), ("us_federal",), range(2026, 2028))  # the holidays package's one-time import is not batch work
    eligibility._eligible_intervals.cache_clear()  # cold: the interval work is part of the timing
    start = time.perf_counter()
    ours = next_eligible_columns(afters, groups, contacts, WINDOW)
    ours_s = time.perf_counter() - start

    eligibility._eligible_intervals.cache_clear()
    sample = [(datetime.fromtimestamp(float(afters[i]), UTC), contacts[int(groups[i])]) for i in range(loop_sample)]
    start = time.perf_counter()
    loop = [next_eligible(after, WINDOW, contact) for after, contact in sample]
    loop_s = (time.perf_counter() - start) * n / loop_sample
    for i, expected in enumerate(loop):  # same answers
        assert expected is not None and abs(expected.timestamp() - ours[i]) < 1e-5
    return {
        "next_eligible_1m_seconds": round(ours_s, 4),
        "next_eligible_ratio_vs_loop": round(loop_s / ours_s, 1),
        "loop_1m_seconds_extrapolated": round(loop_s, 2),
    }


if __name__ == "__main__":
    print(run())
