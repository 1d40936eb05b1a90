"""Classify an inbound SMS: opt_out, opt_in, help or other."""

from __future__ import annotations

import itertools
import re

OPT_OUT = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"}
OPT_IN = {"START", "UNSTOP"}
HELP = {"HELP"}
_WORD = re.compile(r"[A-Za-z]+")


def classify(text: str) -> str:
    """`opt_out` when a stop word appears as a word (any case, punctuation around it), etc."""
    words = [w.upper() for w in _WORD.findall(text)]
    joined = set(words) | {a + b for a, b in itertools.pairwise(words)}  # "OPT OUT" -> OPTOUT
    if joined & OPT_OUT:
        return "opt_out"
    if joined & OPT_IN:
        return "opt_in"
    if joined & HELP:
        return "help"
    return "other"
