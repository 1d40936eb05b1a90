"""HTTP errors in the shapes the OpenAPI documents promise (FastAPI's validation-error schema for 422)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import HTTPException

Loc = Sequence[str | int]


def unprocessable(*problems: tuple[Loc, str]) -> HTTPException:
    """A 422 whose `detail` is a list of `{loc, msg, type}`, like FastAPI's own validation errors."""
    return HTTPException(422, [{"loc": list(loc), "msg": msg, "type": "value_error"} for loc, msg in problems])


def unprocessable_all(problems: Iterable[tuple[Loc, str]]) -> HTTPException:
    """`unprocessable` for a list of problems."""
    return unprocessable(*problems)


CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "The resource is not in a state that allows this"}}
