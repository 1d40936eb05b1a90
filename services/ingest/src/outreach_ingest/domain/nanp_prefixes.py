"""Whether phonenumbers' North American metadata decides validity by a number's first six digits.

Every pattern that `phonenumbers.is_valid_number` matches a ten-digit North American national number
against (each region's leading digits, general description and number types) is read with Python's
regular-expression parser. When each of its alternatives that can match ten digits is a fixed-width part
of at most six characters followed only by free digits (`\\d{4}`, `[2-9]\\d{6}` read as `[2-9]` then
`\\d{6}`), validity is a function of the six-digit prefix, and one line number per prefix tells it.
A few regions with their own area codes have patterns that look at the seventh digit (Barbados and
Jamaica in phonenumbers 9): numbers under their leading digits are never settled by prefix.
"""

from __future__ import annotations

import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from functools import cache
from typing import Any

import phonenumbers
from phonenumbers import PhoneMetadata

LENGTH, PREFIX = 10, 6
_DESCRIPTIONS = ("general_desc", "fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost",
                 "personal_number", "voip", "pager", "uan", "voicemail")  # fmt: skip


@cache
def undecided_leading_digits() -> tuple[str, ...] | None:
    """Leading-digit patterns of the regions whose patterns look past six digits; None when a region
    without leading digits does, or anything in the metadata is unexpected (then no prefix decides)."""
    undecided: list[str] = []
    try:
        for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
            metadata = PhoneMetadata.metadata_for_region(region)
            if metadata is None:
                return None
            leading = metadata.leading_digits
            if leading and sre_parse.parse(leading).getwidth()[1] > PREFIX:
                return None
            patterns = [getattr(metadata, name, None) for name in _DESCRIPTIONS]
            if all(_decides(list(sre_parse.parse(d.national_number_pattern)))
                   for d in patterns if d is not None and d.national_number_pattern):  # fmt: skip
                continue
            if not leading:
                return None
            undecided.append(leading)
    except Exception:  # anything unexpected: no prefix decides
        return None
    return tuple(undecided)


def _decides(items: list[Any], depth: int = 0) -> bool:
    for alternative in _alternatives(items):
        low, high = sre_parse.SubPattern(sre_parse.State(), alternative).getwidth()
        if not low <= LENGTH <= high:
            continue  # cannot match a ten-digit number
        rest, free = _free_tail(alternative)
        if rest and rest[-1][0] in (sre.SUBPATTERN, sre.BRANCH) and depth < 8:
            tails = [[*rest[:-1], *branch, *alternative[len(rest) :]] for branch in _alternatives([rest[-1]])]
            if all(_decides(tail, depth + 1) for tail in tails):
                continue
        width = sre_parse.SubPattern(sre_parse.State(), rest).getwidth() if rest else (0, 0)
        if width != (LENGTH - free, LENGTH - free) or LENGTH - free > PREFIX:
            return False
    return True


def _alternatives(items: list[Any]) -> list[list[Any]]:
    if len(items) == 1:
        op, av = items[0]
        if op is sre.BRANCH:
            return [alt for branch in av[1] for alt in _alternatives(list(branch))]
        if op is sre.SUBPATTERN:
            return _alternatives(list(av[-1]))
    return [items]


def _free_tail(items: list[Any]) -> tuple[list[Any], int]:
    """(the items before the trailing free digits, how many free digits)."""
    free, end = 0, len(items)
    while end:
        count = _free_digits(items[end - 1])
        if count is None:
            break
        free, end = free + count, end - 1
    return items[:end], free


def _free_digits(item: Any) -> int | None:
    op, av = item
    if op is sre.IN and av in ([(sre.CATEGORY, sre.CATEGORY_DIGIT)], [(sre.RANGE, (48, 57))]):
        return 1
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high, sub = av
        if low == high and len(sub) == 1 and _free_digits(sub[0]) == 1:
            return int(low)
    return None
