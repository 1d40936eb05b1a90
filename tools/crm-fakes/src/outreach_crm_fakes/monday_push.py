"""The fake monday.com's OAuth 2.0 (consent answers at once with a code; tokens that do not expire until the
app is uninstalled) and its webhooks: `create_webhook` sends the challenge to the URL and keeps the webhook
only when it is echoed; items created are then sent to the board's `create_item` webhooks, with a JWT
signed by the app's signing secret in `Authorization` when the webhook was made with an app token."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from outreach_crm_fakes.consent import Codes, add_consent_page, client_form


@dataclass
class MondayApp:
    """The app installed on the fake, and the webhooks made on its boards."""

    client: tuple[str, str] = ("monday-client", "monday-secret")
    signing_secret: str = "monday-signing-secret-of-the-fake-app"
    codes: Codes = field(default_factory=Codes)
    app_tokens: set[str] = field(default_factory=set)  # tokens given by OAuth (their webhooks carry a JWT)
    webhooks: list[dict[str, Any]] = field(default_factory=list)  # {"id", "board", "url", "event", "app"}
    sent: list[dict[str, Any]] = field(default_factory=list)

    def headers(self, by_app: bool) -> dict[str, str]:
        if not by_app:
            return {}
        claims = {"accountId": 1, "userId": 1, "iat": int(time.time()), "exp": int(time.time()) + 300}
        return {"Authorization": jwt.encode(claims, self.signing_secret, algorithm="HS256")}

    async def make(self, token: str, board: str, url: str, event: str, new_id: str) -> str | None:
        """A webhook, once its URL echoes the challenge; None when it did not."""
        challenge = secrets.token_urlsafe(12)
        by_app = token in self.app_tokens
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                answer = await client.post(url, json={"challenge": challenge}, headers=self.headers(by_app))
            echoed = answer.status_code == 200 and answer.json().get("challenge") == challenge
        except (httpx.HTTPError, ValueError):
            echoed = False
        if not echoed:
            return None
        self.webhooks.append({"id": new_id, "board": board, "url": url, "event": event, "app": by_app})
        return new_id

    async def send(self, board: str, item_ids: list[str]) -> None:
        async with httpx.AsyncClient(timeout=10) as client:
            for hook in [h for h in self.webhooks if h["board"] == board and h["event"] == "create_item"]:
                for item in item_ids:
                    stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
                    event = {"event": {"type": "create_pulse", "boardId": int(board), "pulseId": int(item),
                                       "triggerTime": stamp}}  # fmt: skip
                    try:
                        status = (
                            await client.post(hook["url"], json=event, headers=self.headers(hook["app"]))
                        ).status_code
                    except httpx.HTTPError:
                        status = 0
                    self.sent.append({**event["event"], "status": status})

    def announce(self, board: str, item_ids: list[str]) -> None:
        """The items' `create_item` events, sent a moment after the answer."""
        if item_ids and any(h["board"] == board for h in self.webhooks):
            asyncio.get_running_loop().create_task(self.send(board, item_ids))


def add_oauth(app: FastAPI, push: MondayApp, tokens: set[str], error: Callable[..., Response]) -> None:
    """The consent page, the token endpoint and the tests' controls, on the fake's app."""

    add_consent_page(app, "/oauth2/authorize", push.client[0], push.codes, lambda: error(400, "invalid client_id"))

    @app.post("/oauth2/token")
    async def token(request: Request) -> Response:
        if (form := await client_form(request, push.client)) is None:
            return error(401, "invalid client credentials")
        if not push.codes.redeem(form):
            return error(400, "invalid_grant: code is invalid, used or for another redirect_uri")
        access = "monapp-" + secrets.token_urlsafe(16)
        tokens.add(access)
        push.app_tokens.add(access)
        return JSONResponse({"access_token": access, "token_type": "Bearer", "scope": "me:read boards:read"})

    @app.post("/_fake/revoke")
    async def revoke() -> dict[str, int]:
        """The app uninstalled, and personal tokens regenerated: every token stops working."""
        count = len(tokens)
        tokens.clear()
        return {"revoked": count}

    @app.get("/_fake/webhooks")
    async def webhooks() -> dict[str, Any]:
        return {"webhooks": push.webhooks, "sent": push.sent}
