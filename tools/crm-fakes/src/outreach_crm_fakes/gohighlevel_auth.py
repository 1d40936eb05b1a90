"""The fake GoHighLevel's OAuth 2.0 (the location chooser answers at once with a code; location tokens that
expire; refresh tokens that work once, as HighLevel's do) and its webhooks: each contact created is sent to
the app's webhook URL as a `ContactCreate` event signed with the fake's Ed25519 key (`X-GHL-Signature`)."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from outreach_crm_fakes.consent import Codes, add_consent_page, client_form


@dataclass
class GhlApp:
    """The marketplace app installed on the fake: its client, codes, tokens' lifetimes and webhooks."""

    client: tuple[str, str] = ("ghl-client", "ghl-secret")
    token_seconds: float = 86399.0
    install_location: str = "loc1"  # the location a person picks on the chooser
    codes: Codes = field(default_factory=Codes)
    expires: dict[str, float] = field(default_factory=dict)  # OAuth access token -> expires at
    refresh: dict[str, str] = field(default_factory=dict)  # unused refresh token -> location id
    webhook_url: str | None = None
    key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    sent: list[dict[str, Any]] = field(default_factory=list)  # webhook events and the status they got

    def public_pem(self) -> str:
        return self.key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()

    def expired(self, token: str) -> bool:
        return self.expires.get(token, float("inf")) < time.time()

    async def send(self, events: list[dict[str, Any]]) -> None:
        """Each event to the webhook URL, signed (HighLevel retries a 5xx later; the fake keeps the status)."""
        if not self.webhook_url:
            return
        async with httpx.AsyncClient(timeout=10) as client:
            for event in events:
                body = json.dumps(event).encode()
                signature = base64.b64encode(self.key.sign(body)).decode()
                headers = {"Content-Type": "application/json", "X-GHL-Signature": signature}
                try:
                    status = (await client.post(self.webhook_url, content=body, headers=headers)).status_code
                except httpx.HTTPError:
                    status = 0
                self.sent.append({**event, "status": status})


def contact_created(location_id: str, contact: dict[str, Any]) -> dict[str, Any]:
    """A `ContactCreate` event as HighLevel sends it."""
    stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return {"type": "ContactCreate", "locationId": location_id, "id": contact["id"], "phone": contact.get("phone"),
            "timestamp": stamp, "webhookId": secrets.token_hex(8)}  # fmt: skip


def add_oauth(app: FastAPI, auth: GhlApp, tokens: dict[str, str], error: Callable[..., Response]) -> None:
    """The chooser, the token endpoint and the tests' controls, on the fake's app (`tokens`: its access
    tokens and their locations)."""

    def refused() -> Response:
        return error(400, "unknown client_id or response_type")

    add_consent_page(app, "/oauth/chooselocation", auth.client[0], auth.codes, refused)

    @app.post("/oauth/token")
    async def token(request: Request) -> Response:
        if (form := await client_form(request, auth.client)) is None:
            return error(401, "invalid client credentials")
        if form.get("grant_type") == "authorization_code":
            if not auth.codes.redeem(form):
                return error(400, "code is invalid, used or for another redirect_uri")
            location = auth.install_location
        elif form.get("grant_type") == "refresh_token":
            location = auth.refresh.pop(str(form.get("refresh_token")), "")  # a refresh token works once
            if not location:
                return error(400, "Invalid grant: refresh token is invalid, used or revoked")
        else:
            return error(400, "unsupported grant_type")
        access, refresh = "ghl-" + secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        tokens[access], auth.expires[access], auth.refresh[refresh] = (
            location,
            time.time() + auth.token_seconds,
            location,
        )
        answer = {"access_token": access, "token_type": "Bearer", "expires_in": int(auth.token_seconds),
                  "refresh_token": refresh, "scope": "contacts.readonly contacts.write", "userType": "Location",
                  "locationId": location, "companyId": "co1", "userId": "u1"}  # fmt: skip
        return JSONResponse(answer)

    @app.post("/_fake/expire")
    async def expire() -> dict[str, int]:
        for t in auth.expires:
            auth.expires[t] = 0.0
        return {"expired": len(auth.expires)}

    @app.post("/_fake/revoke")
    async def revoke() -> dict[str, int]:
        """The app uninstalled: its access and refresh tokens stop working."""
        for t in list(auth.expires):
            tokens.pop(t, None)
        auth.refresh.clear()
        return {"revoked": len(auth.expires)}

    @app.post("/_fake/webhooks")
    async def webhooks(request: Request) -> dict[str, str]:
        """{"url"}: where the app's webhooks go; answers the public key that checks them."""
        auth.webhook_url = (await request.json())["url"]
        return {"public_key": auth.public_pem()}

    @app.get("/_fake/webhooks/sent")
    async def sent() -> list[dict[str, Any]]:
        return auth.sent


def announce(auth: GhlApp, location_id: str, created: list[dict[str, Any]]) -> None:
    """The contacts' `ContactCreate` events, sent after the answer (as HighLevel sends them, a moment later)."""
    if auth.webhook_url and created:
        asyncio.get_running_loop().create_task(auth.send([contact_created(location_id, c) for c in created]))
