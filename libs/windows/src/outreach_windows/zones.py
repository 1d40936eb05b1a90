"""Which time zones a contact is in: explicit zone, else the phone number's zones, else the fallback."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from outreach_contracts.window import check_zone
from phonenumbers import timezone as pn_timezone

UNKNOWN = "Etc/Unknown"


@lru_cache(maxsize=65536)
def zones_for_phone(phone: str) -> tuple[str, ...]:
    """Zones of an E.164 number from phonenumbers' data; empty when unknown or unparsable."""
    try:
        parsed = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return ()
    zones = tuple(sorted(z for z in pn_timezone.time_zones_for_number(parsed) if z != UNKNOWN))
    return zones


def contact_zones(*, timezone: str | None, phone: str | None) -> tuple[str, ...]:
    """The contact's own candidate zones (explicit zone first), empty when unknown."""
    if timezone:
        return (check_zone(timezone),)
    if phone:
        return zones_for_phone(phone)
    return ()
