"""Templates in the limited sandbox: what renders, what is refused, and HTML escaping."""

from __future__ import annotations

import time

import pytest
from outreach_common.templates import TemplateFailedError, check, render

pytestmark = pytest.mark.unit


def test_ordinary_templates_render() -> None:
    source = "Hi {{ first_name }}, {{ '-' * 3 }} {% for i in range(3) %}{{ i }}{% endfor %} {{ 2 ** 10 }}"
    assert render(source, {"first_name": "Ada"}) == "Hi Ada, --- 012 1024"
    assert render("{{ name|center(11) }}", {"name": "Ada"}) == "    Ada    "


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 10**10 }}",
        "{{ 10**10 * 'x' }}",
        "{{ [1] * 100000 }}",
        "{{ 10 ** 100000 }}",
        "{{ 2.0 ** 5000 }}",
        "{% for i in range(10**9) %}{% endfor %}",
        "{% for a in range(9) %}{% for b in range(9) %}{% for c in range(9) %}{% endfor %}{% endfor %}{% endfor %}",
        "{{ 'x'|center(10**9) }}",
        "{{ 'x'.ljust(10**9) }}",
        "{{ 'x' " + "~ 'x' " * 12_000 + "}}",
        "{% for a in range(1000) %}{% for b in range(1000) %}xxxxxxxxxx{% endfor %}{% endfor %}",
        "{% if %}",
    ],
)
def test_templates_that_would_hurt_the_service_are_refused_quickly(source: str) -> None:
    started = time.monotonic()
    with pytest.raises(TemplateFailedError):
        check(source)
    with pytest.raises(TemplateFailedError):
        render(source, {"first_name": "Ada"})
    assert time.monotonic() - started < 3


def test_unsafe_attributes_render_nothing_of_python() -> None:
    with pytest.raises(TemplateFailedError):
        render("{{ ''.__class__.__mro__ }}", {})


def test_a_missing_variable_fails_a_render_but_not_a_check() -> None:
    check("Hi {{ first_name }} {{ amount * 2 }}")
    with pytest.raises(TemplateFailedError, match="first_name"):
        render("Hi {{ first_name }}", {})


def test_html_bodies_escape_values() -> None:
    assert render("<p>{{ name }}</p>", {"name": "<script>x</script>"}, html=True) == (
        "<p>&lt;script&gt;x&lt;/script&gt;</p>"
    )
    assert render("{{ name }}", {"name": "<b>"}) == "<b>"  # plain text stays as written
