"""Fuzzing the template renderer: whatever a user types, rendering ends quickly with text or a clear
TemplateFailedError (never another exception, never a hang)."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from outreach_common.templates import TemplateFailedError, check, render

pytestmark = pytest.mark.unit

PIECES = [
    "{{ ", " }}", "{% ", " %}", "{# ", " #}", "for x in ", "range(", ")", "endfor", "if ", "endif", "else",
    "first_name", "fields", ".items()", "x", "'ab'", "\"c\"", "*", "**", "+", "~", "-", "/", "//", "%", " ", "|",
    "upper", "center(", "join(", "default(", "replace(", "length", "[", "]", "(", ",", "9", "10", "99999",
    "10**9", "0", "-1", "1.5", "__class__", ".", "loop.index", "set y = ", "macro m()", "endmacro", "\n",
    "Hi ", "é", "\x00",
]  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_any_template_ends_as_text_or_a_clear_error(source: str) -> None:
    for attempt in (lambda: check(source), lambda: render(source, {"first_name": "Ada", "fields": {"a": "b"}})):
        started = time.monotonic()
        with contextlib.suppress(TemplateFailedError):
            attempt()
        assert time.monotonic() - started < 2.0, source


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_ends_as_text_or_a_clear_error(source: str) -> None:
    with contextlib.suppress(TemplateFailedError):
        render(source, {"first_name": "Ada"}, html=True)
