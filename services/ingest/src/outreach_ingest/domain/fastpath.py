"""Fast paths that must agree with the libraries they shortcut.

North American numbers (the bulk of most lists) skip `phonenumbers.parse`: the punctuation is deleted in C
(`str.translate`), and validity is looked up by the number's first six digits (area code and exchange), in
a table of a verdict per prefix (an array of a million codes, looked up a whole batch at a time). Where
phonenumbers' metadata decides validity by six digits (`nanp_prefixes`), one line number gives a prefix's
verdict; otherwise a prefix enters the table only after `phonenumbers` gave the same verdict for a spread of
line numbers under it, and a prefix where they differ is marked mixed (its numbers always take the slow
path).
Plain ASCII email addresses skip `email_validator` the same way: a strict pattern accepts only what it
would accept, and anything else goes to the library.
"""

from __future__ import annotations

import random
import re
from typing import Any

import numpy as np
import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES

from outreach_ingest.domain.nanp_prefixes import undecided_leading_digits

NANP_REGIONS = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1])
_PUNCTUATION = str.maketrans("", "", " ()-.+")
_SAMPLE_LINES = ("0000", "5555", "9999")
UNKNOWN, VALID, INVALID, MIXED = 0, 1, 2, 3  # a prefix's code in the table
_table = np.zeros(1_000_000, np.int8)  # by the prefix's six digits as an integer


def _prefix_verdict(prefix: str) -> int:
    """VALID / INVALID when the metadata decides by six digits (one line number tells), else when every
    sampled line number under `prefix` gets that validity; MIXED otherwise (and under the leading digits of
    regions that look further)."""
    undecided = undecided_leading_digits()
    if undecided is not None:
        if any(re.match(leading, prefix) for leading in undecided):
            return MIXED
        number = phonenumbers.PhoneNumber(country_code=1, national_number=int(prefix + "0000"))
        return VALID if phonenumbers.is_valid_number(number) else INVALID
    rng = random.Random(prefix)
    lines = [*_SAMPLE_LINES, f"{rng.randrange(10_000):04d}"]
    verdicts = {
        phonenumbers.is_valid_number(phonenumbers.PhoneNumber(country_code=1, national_number=int(prefix + line)))
        for line in lines
    }
    return (VALID if verdicts.pop() else INVALID) if len(verdicts) == 1 else MIXED


def prefix_codes(prefixes: np.ndarray[Any, np.dtype[np.int64]]) -> np.ndarray[Any, np.dtype[np.int8]]:
    """The code of each six-digit North American prefix (given as integers), the ones not in the table yet
    decided and added."""
    codes = _table[prefixes]
    for prefix in np.unique(prefixes[codes == UNKNOWN]).tolist():
        _table[prefix] = _prefix_verdict(f"{prefix:06d}")
    found: np.ndarray[Any, np.dtype[np.int8]] = _table[prefixes]
    return found


def forget_prefixes() -> None:
    """Empty the table (each prefix is decided again when next seen)."""
    _table[:] = UNKNOWN


def nanp_fast(value: str, default_region: str) -> str | bool | None:
    """E.164 of a valid North American number, False when it is one and invalid, None when the fast path
    does not apply (the caller asks phonenumbers)."""
    digits = value.translate(_PUNCTUATION)
    if not digits.isdigit() or not digits.isascii():
        return None
    if "+" in value:
        if len(digits) != 11 or digits[0] != "1" or not value.lstrip().startswith("+"):
            return None
    elif default_region not in NANP_REGIONS or not (len(digits) == 10 or (len(digits) == 11 and digits[0] == "1")):
        return None
    national = digits[-10:]
    prefix = int(national[:6])
    verdict = _table[prefix]
    if verdict == UNKNOWN:
        verdict = _table[prefix] = _prefix_verdict(national[:6])
    if verdict == MIXED:
        return None
    return "+1" + national if verdict == VALID else False


EMAIL_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
EMAIL_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
_EMAIL = re.compile(f"(?P<local>{EMAIL_LOCAL})@(?P<domain>{EMAIL_DOMAIN})")
_SPECIAL = tuple(SPECIAL_USE_DOMAIN_NAMES)


def email_fast(value: str) -> str | None:
    """The normalised address when a strict ASCII pattern accepts it, else None (ask email_validator)."""
    match = _EMAIL.fullmatch(value)
    if match is None or len(value) > 254 or len(match["local"]) > 64:
        return None
    domain = match["domain"].lower()
    if any(domain == s or domain.endswith("." + s) for s in _SPECIAL):
        return None
    return f"{match['local']}@{domain}"
