"""The fast paths agree with phonenumbers and email_validator (the libraries they shortcut)."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from outreach_ingest.domain.fastpath import email_fast, nanp_fast

pytestmark = pytest.mark.unit
FORMATS = (
    "{a}{b}{c}",
    "({a}) {b}-{c}",
    "{a}.{b}.{c}",
    "1 {a} {b} {c}",
    "+1 ({a}) {b}-{c}",
    "+1{a}{b}{c}",
    "1-{a}-{b}-{c}",
)


def slow(value: str, region: str) -> str | bool:
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return False
    if not phonenumbers.is_valid_number(parsed):
        return False
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@pytest.mark.parametrize("seed", range(4))
def test_nanp_fast_path_agrees_with_phonenumbers(seed: int) -> None:
    rng = random.Random(seed)
    checked = 0
    for _ in range(3000):
        a = f"{rng.randrange(1000):03d}" if rng.random() < 0.3 else str(rng.randrange(200, 1000))
        b, c = f"{rng.randrange(1000):03d}", f"{rng.randrange(10000):04d}"
        value = rng.choice(FORMATS).format(a=a, b=b, c=c)
        region = rng.choice(["US", "CA", "US", "PR"])
        fast = nanp_fast(value, region)
        if fast is None:
            continue
        checked += 1
        assert fast == slow(value, region), value
    assert checked > 2500


@pytest.mark.parametrize(
    "value",
    ["+44 20 7946 0958", "+212 555 0123", "212-555-0123 x12", "2.12555E+09", "555-CALL-NOW", "12345", "0012125550123"],
)
def test_fast_path_steps_aside(value: str) -> None:
    assert nanp_fast(value, "US") is None
    assert nanp_fast("2125550123", "GB") is None  # a foreign default region: the library decides


@pytest.mark.parametrize(
    "value",
    [
        "ada@example.com",
        "Ada.Lovelace+tag@Example.CO.UK",
        "a..b@example.com",
        ".a@example.com",
        "a.@example.com",
        "a@-example.com",
        "a@example-.com",
        "a@example.c",
        "a@localhost",
        "a@example.test",
        "a@sub.example.invalid",
        "très@example.com",
        "a@exämple.com",
        "a b@example.com",
        "a@example..com",
        "x" * 65 + "@example.com",
        "o'brien@example.ie",
        "a@123.com",
    ],
)
def test_email_fast_path_agrees_with_email_validator(value: str) -> None:
    fast = email_fast(value)
    try:
        expected: str | None = validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        expected = None
    if fast is not None:
        assert fast == expected
