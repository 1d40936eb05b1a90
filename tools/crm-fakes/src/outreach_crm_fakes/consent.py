"""The OAuth steps every fake CRM shares: consent is given at once, and the person is sent back to the app
with a new authorization code, which works once and only with the same redirect URI; the token endpoint
first checks the app's client id and secret."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData


@dataclass
class Codes:
    """Authorization codes given and not yet used (code -> redirect URI)."""

    given: dict[str, str] = field(default_factory=dict)

    def back(self, redirect_uri: str, state: str) -> RedirectResponse:
        """The redirect back to the app with a new code and the app's state."""
        code = secrets.token_urlsafe(12)
        self.given[code] = redirect_uri
        return RedirectResponse(f"{redirect_uri}?{urlencode({'code': code, 'state': state})}", status_code=302)

    def redeem(self, form: FormData) -> bool:
        """Whether the token request's code was given for its redirect URI and not used yet (it is used now)."""
        return self.given.pop(str(form.get("code")), None) == form.get("redirect_uri")


def add_consent_page(app: FastAPI, path: str, client_id: str, codes: Codes, refuse: Callable[[], Response]) -> None:
    """The consent page at `path`: it answers `refuse()` to another client id or a response type other than
    `code`, and sends the person back with a code otherwise."""

    @app.get(path)
    async def consent(
        client_id_: str = Query(alias="client_id"),
        redirect_uri: str = Query(),
        state: str = "",
        response_type: str = "code",
        scope: str = "",
    ) -> Response:
        if client_id_ != client_id or response_type != "code":
            return refuse()
        return codes.back(redirect_uri, state)


async def client_form(request: Request, client: tuple[str, str]) -> FormData | None:
    """The token request's form when it carries the app's client id and secret; None otherwise."""
    form = await request.form()
    return form if (form.get("client_id"), form.get("client_secret")) == client else None
