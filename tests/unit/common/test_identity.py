"""The signed identity services trust: what verifies, what does not, and what a service answers."""

from __future__ import annotations

import time

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from outreach_common.identity import HEADER, REQUIRED, Caller, IdentityError, expand, mint, verify
from outreach_common.settings import ServiceSettings

pytestmark = pytest.mark.unit
SECRET = "Zk3v9QpL2xWm7RtY4nBc8HdF6gJs1aEu0oIy"


def test_a_minted_identity_verifies_with_its_secret_or_while_rotating() -> None:
    token = mint("ws_a", "key:k1", ["write"], SECRET)
    who = verify(token, [SECRET])
    assert (who.workspace_id, who.subject, who.scopes) == ("ws_a", "key:k1", ("read", "write"))
    assert verify(token, ["new" * 12, SECRET]).workspace_id == "ws_a"  # the previous secret still counts


@pytest.mark.parametrize(
    "token",
    [
        "",
        "nodot",
        mint("ws_a", "key:k1", ["read"], "other-secret-of-some-length"),
        mint("ws_a", "key:k1", ["read"], SECRET, ttl_s=-1),
    ],
)
def test_forged_malformed_or_expired_identities_are_refused(token: str) -> None:
    with pytest.raises(IdentityError):
        verify(token, [SECRET])


def test_a_changed_workspace_breaks_the_signature() -> None:
    payload, mac = mint("ws_a", "key:k1", ["admin"], SECRET).split(".")
    forged = mint("ws_b", "key:k1", ["admin"], "x" * 40).split(".")[0]
    with pytest.raises(IdentityError):
        verify(f"{forged}.{mac}", [SECRET])
    assert verify(f"{payload}.{mac}", [SECRET], now=time.time()).workspace_id == "ws_a"


def test_scopes_imply_the_lesser_ones() -> None:
    assert expand(["admin"]) == ("read", "write", "admin")
    assert expand(["read"]) == ("read",)


async def test_a_service_route_answers_401_without_identity_and_403_for_a_reader_writing() -> None:
    app = FastAPI()
    app.state.settings = ServiceSettings(identity_secret=SECRET)
    router = APIRouter(dependencies=REQUIRED)

    @router.get("/things")
    async def things(who: Caller) -> dict[str, str]:
        return {"workspace": who.workspace_id}

    @router.post("/things")
    async def add(who: Caller) -> dict[str, str]:
        return {"workspace": who.workspace_id}

    app.include_router(router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        assert (await http.get("/things")).status_code == 401
        assert (await http.get("/things", headers={HEADER: "forged.token"})).status_code == 401
        reader = {HEADER: mint("ws_a", "person:p", ["read"], SECRET)}
        assert (await http.get("/things", headers=reader)).json() == {"workspace": "ws_a"}
        assert (await http.post("/things", headers=reader)).status_code == 403
        writer = {HEADER: mint("ws_a", "key:k", ["write"], SECRET)}
        assert (await http.post("/things", headers=writer)).status_code == 200


def test_production_refuses_weak_secrets() -> None:
    with pytest.raises(ValueError, match="identity_secret"):
        ServiceSettings(environment="production", identity_secret="short", webhook_secret=SECRET)
    with pytest.raises(ValueError):
        ServiceSettings(environment="production", identity_secret="change-me-" * 4, webhook_secret=SECRET)
    assert ServiceSettings(environment="production", identity_secret=SECRET[::-1], webhook_secret=SECRET)
