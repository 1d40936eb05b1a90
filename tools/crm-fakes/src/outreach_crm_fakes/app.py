"""What every fake CRM app starts from: its title, its state where tests read it, and the tests' view of it."""

from __future__ import annotations

from operator import attrgetter
from typing import Any, TypeVar

from fastapi import FastAPI

S = TypeVar("S")


def fake_app(crm: str, name: str, state: S, *, shown: dict[str, str]) -> tuple[FastAPI, S]:
    """An app titled after the CRM it imitates, its state at `app.state.<name>`, and `GET /_fake/state`
    answering the parts of the state named in `shown` (answer key -> attribute path, as `limit.refused`)."""
    app = FastAPI(title=f"fake {crm}")
    setattr(app.state, name, state)
    parts = {key: attrgetter(path) for key, path in shown.items()}

    @app.get("/_fake/state")
    async def snapshot() -> dict[str, Any]:
        return {key: part(state) for key, part in parts.items()}

    return app, state
