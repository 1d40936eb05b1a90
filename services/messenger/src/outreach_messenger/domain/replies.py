"""Classify an inbound SMS: opt_out, opt_in, help or other.

A keyword counts when it appears as a word anywhere in the text, in any case, with punctuation around it
(the FCC's 2024 consent-revocation rule accepts these words in any reasonable form). "OPT OUT", "opt-out"
and "OPTOUT" are the same word. An opt-out word wins over the others: when in doubt, stop.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
OPT_IN = frozenset({"START", "UNSTOP"})
HELP = frozenset({"HELP"})
VERDICTS = ("opt_out", "opt_in", "help", "other")
_WORD = re.compile(r"[^\W_]+")  # letters and digits; spaces, punctuation and underscores separate words


def words(text: str) -> set[str]:
    """The upper-cased words of `text`, with "OPT" followed by "OUT" also as "OPTOUT"."""
    normal = unicodedata.normalize("NFKC", text).upper()
    tokens = _WORD.findall(normal)
    found = set(tokens)
    found |= {a + b for a, b in itertools.pairwise(tokens) if (a, b) == ("OPT", "OUT")}
    return found


def classify(text: str) -> str:
    """`opt_out`, `opt_in`, `help` or `other`."""
    found = words(text)
    if found & OPT_OUT:
        return "opt_out"
    if found & OPT_IN:
        return "opt_in"
    if found & HELP:
        return "help"
    return "other"
