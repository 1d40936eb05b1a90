"""What every fake CRM app starts from."""

from __future__ import annotations

from typing import TypeVar

from fastapi import FastAPI

S = TypeVar("S")


def fake_app(crm: str, name: str, state: S) -> tuple[FastAPI, S]:
    """An app titled after the CRM it imitates, its state at `app.state.<name>` (where tests read it)."""
    app = FastAPI(title=f"fake {crm}")
    setattr(app.state, name, state)
    return app, state
