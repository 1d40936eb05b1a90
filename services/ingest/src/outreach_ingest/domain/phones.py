"""Phone numbers to E.164, with a reason for every rejection."""

from __future__ import annotations

import re

import phonenumbers

from outreach_ingest.domain.fastpath import nanp_fast

_SCIENTIFIC = re.compile(r"^\s*\d+(?:[.,]\d+)?[eE]\+?\d+\s*$")
_LETTERS = re.compile(r"[^\W\d_]")
_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#)\s*\d+\s*$", re.IGNORECASE)


class InvalidPhone(ValueError):  # noqa: N818 - reads as "the phone is invalid"
    """A phone number that cannot be used, with the reason."""


def normalise_phone(raw: str | None, *, default_region: str = "US") -> str:
    """E.164 form of `raw`, or InvalidPhone with a reason."""
    value = (raw or "").strip().lstrip("'").strip()
    if not value:
        raise InvalidPhone("missing phone number")
    fast = nanp_fast(value, default_region)
    if fast:
        return str(fast)
    if fast is False:
        raise InvalidPhone(f"not a valid number for region {_nanp_region(value, default_region)}")
    if _SCIENTIFIC.match(value):
        raise InvalidPhone("phone number in Excel scientific notation (digits lost); re-export the column as text")
    if _LETTERS.search(_EXTENSION.sub("", value)):
        raise InvalidPhone("phone number contains letters")
    digits = re.sub(r"\D", "", value)
    if len(digits) < 7:
        raise InvalidPhone("phone number too short")
    if len(digits) > 17:
        raise InvalidPhone("phone number too long")
    try:
        parsed = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(f"not a phone number ({exc._msg})") from exc
    if not phonenumbers.is_valid_number(parsed):
        region = phonenumbers.region_code_for_number(parsed) or default_region
        raise InvalidPhone(f"not a valid number for region {region}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _nanp_region(value: str, default_region: str) -> str:
    """The region phonenumbers names for an invalid North American number (the slow path's wording)."""
    try:
        parsed = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException:
        return default_region
    return phonenumbers.region_code_for_number(parsed) or default_region
