"""Message templates in a Jinja2 sandbox with limits: template size, loop nesting, the size of what an
expression may build, output size and render time. One implementation for the scheduler (which checks a
template when a campaign is created or edited) and the messenger (which renders it for each contact).

The sandbox already refuses unsafe attributes; the limits here stop the other way a template hurts a
service: making it compute or allocate without bound (`{{ 'x' * 10**10 }}`, `{{ 9**9**9 }}`, loops inside
loops over large ranges)."""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import ChainableUndefined, StrictUndefined, TemplateError, UndefinedError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

MAX_TEMPLATE_CHARS = 20_000
MAX_OUTPUT_CHARS = 100_000
MAX_BUILT = 1_000  # items or characters an expression may build by `*`, and the largest `range`
MAX_ARGUMENT = 100_000  # largest integer passed to a filter or a call (widths, counts)
MAX_LOOP_DEPTH = 2
MAX_RENDER_S = 1.0


class TemplateFailedError(ValueError):
    """A template that cannot be used or rendered, with the reason."""


def _bounded_range(*args: int) -> range:
    values = range(*args)
    if len(values) > MAX_BUILT:
        raise SecurityError(f"range() is limited to {MAX_BUILT} items")
    return values


def _check_arguments(args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ARGUMENT:
            raise SecurityError(f"arguments are limited to {MAX_ARGUMENT}")


def _guarded(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        _check_arguments(args[1:], kwargs)  # (the first argument is the value being filtered)
        return function(*args, **kwargs)

    return call


class _LimitedSandbox(SandboxedEnvironment):
    """The sandbox, with bounded arithmetic, calls and filters."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.globals["range"] = _bounded_range
        self.filters = {name: _guarded(f) for name, f in self.filters.items()}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and _number(left) and _number(right) and _power_too_big(left, right):
            raise SecurityError("the power is too large")
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, str | list | tuple) and _number(count) and len(sequence) * count > MAX_BUILT:
                    raise SecurityError(f"an expression may build at most {MAX_BUILT} items or characters")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's own signature
        _check_arguments(args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _power_too_big(base: float, exponent: float) -> bool:
    if abs(base) <= 1:
        return False
    return exponent * math.log2(abs(base)) > 1024


_TEXT = _LimitedSandbox(undefined=StrictUndefined, autoescape=False)
_HTML = _LimitedSandbox(undefined=StrictUndefined, autoescape=True)
_CHECK = {
    False: _LimitedSandbox(undefined=ChainableUndefined),
    True: _LimitedSandbox(undefined=ChainableUndefined, autoescape=True),
}


def _loop_depth(node: nodes.Node, depth: int = 0) -> int:
    here = depth + 1 if isinstance(node, nodes.For) else depth
    return max([here, *(_loop_depth(child, here) for child in node.iter_child_nodes())])


def _render(env: SandboxedEnvironment, source: str, variables: Mapping[str, Any]) -> str:
    if len(source) > MAX_TEMPLATE_CHARS:
        raise TemplateFailedError(f"a template is limited to {MAX_TEMPLATE_CHARS} characters")
    try:
        if _loop_depth(env.parse(source)) > MAX_LOOP_DEPTH:
            raise TemplateFailedError(f"loops may be nested {MAX_LOOP_DEPTH} deep at most")
        started, size, parts = time.monotonic(), 0, []
        for part in env.from_string(source).generate(variables):
            size += len(part)
            if size > MAX_OUTPUT_CHARS:
                raise TemplateFailedError(f"the rendered text is limited to {MAX_OUTPUT_CHARS} characters")
            if time.monotonic() - started > MAX_RENDER_S:
                raise TemplateFailedError(f"rendering is limited to {MAX_RENDER_S:g} s")
            parts.append(part)
        return "".join(parts)
    except SecurityError as exc:
        raise TemplateFailedError(f"template not allowed: {exc}") from exc
    except TemplateError as exc:
        raise TemplateFailedError(f"template error: {exc.message}") from exc
    except (ArithmeticError, ValueError, TypeError, MemoryError) as exc:
        if isinstance(exc, TemplateFailedError):
            raise
        raise TemplateFailedError(f"template error: {exc}") from exc


def render(source: str, variables: Mapping[str, Any], *, html: bool = False) -> str:
    """The rendered text (HTML-escaped values when `html`); TemplateFailedError names what is wrong or
    missing."""
    return _render(_HTML if html else _TEXT, source, variables)


def check(source: str, *, html: bool = False) -> None:
    """TemplateFailedError unless the template is within the limits and renders for a contact with any
    fields (a missing variable is fine here: contacts differ)."""
    try:
        _render(_CHECK[html], source, {})
    except TemplateFailedError as exc:
        if not isinstance(exc.__cause__, UndefinedError):
            raise
