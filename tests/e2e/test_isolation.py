"""The workspace is a boundary: every operation of the public OpenAPI, tried with workspace B's key on
workspace A's resources, answers 404 with no data and changes nothing; without a credential, 401."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from outreach_devstack.stack import Stack

from tests.conftest import Infra
from tests.e2e.stacks import ALWAYS, api_client, isolated_stack, new_workspace, wait_for

pytestmark = pytest.mark.e2e
CSV = b"phone\n+1 212 555 0171\n+1 212 555 0172\n"
PUBLIC = {"/api/v1/workspaces", "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/people/accept"}
# Operations that create the caller's own resource: with B's key they touch only B's workspace.
OWN = {("put", "/api/v1/agents/{agent_id}")}
BODIES: dict[tuple[str, str], Any] = {
    ("put", "/api/v1/agents/{agent_id}"): {"id": "agt_a", "name": "B's", "kind": "twiml", "address": "https://b.test"},
    ("patch", "/api/v1/campaigns/{campaign_id}"): {"name": "renamed by B"},
}


@pytest.fixture
def stack(infra: Infra, run_id: str) -> Iterator[Stack]:
    with isolated_stack(infra, run_id) as s:
        yield s


# a number's figures that A's own calls, still finishing while B probes, move (not B's doing)
ACTIVITY = ("last_used_at", "uses", "answer_rate", "recent_calls", "stats")


def snapshot(a: httpx.Client, ids: dict[str, str]) -> dict[str, Any]:
    """What A sees of its own resources (anything B changed would show here)."""
    return {
        "campaign": a.get(f"/campaigns/{ids['campaign_id']}").json(),
        "agents": a.get("/agents").json(),
        "numbers": [{k: v for k, v in n.items() if k not in ACTIVITY} for n in a.get("/numbers").json()],
        "dnc": a.get("/dnc").json(),
        "import": a.get(f"/imports/{ids['import_id']}").json()["status"],
        "keys": [(k["id"], k["revoked_at"]) for k in a.get("/keys").json()],
        "people": [p["id"] for p in a.get("/people").json()],
        "calls": len(a.get("/calls").json()["items"]),
    }


def test_workspace_b_can_neither_see_nor_change_workspace_a(stack: Stack) -> None:
    a = api_client(stack)
    b = api_client(stack)
    anonymous = httpx.Client(base_url=stack.api, timeout=30.0)
    a.put(
        "/agents/agt_a",
        json={"id": "agt_a", "name": "A", "kind": "twiml", "address": stack.url("twilio-sim") + "/twiml/agent"},
    ).raise_for_status()
    a.post("/numbers", json={"number": "+12125550199", "tags": ["a"]}).raise_for_status()
    a.post("/dnc", json={"phones": ["+12125550188"]}).raise_for_status()
    person = a.post("/people", json={"email": "viewer-a@example.com", "role": "viewer"}).raise_for_status().json()
    spec = {
        "name": "A",
        "window": ALWAYS,
        "flow": [{"kind": "sms", "body": "Hi"}, {"kind": "phone", "agent_id": "agt_a"}],
    }
    campaign = a.post("/campaigns", json=spec).raise_for_status().json()
    a.post(f"/campaigns/{campaign['id']}/start").raise_for_status()
    job = a.post(
        "/imports", data={"campaign_id": campaign["id"]}, files={"file": ("c.csv", CSV, "text/csv")}
    ).raise_for_status()

    def placed() -> bool:
        calls = a.get("/calls").json()["items"]
        return all(c.get("from_number") for c in calls) and len(calls) == 2 and bool(a.get("/messages").json()["items"])

    wait_for(placed)
    call = a.get("/calls").json()["items"][0]
    assert call["from_number"] == "+12125550199"  # A's own number was picked
    ids = {
        "campaign_id": campaign["id"],
        "import_id": job.json()["id"],
        "call_id": call["call_id"],
        "agent_id": "agt_a",
        "number": "+12125550199",
        "phone": "+12125550188",
        "key_id": a.get("/keys").json()[0]["id"],
        "person_id": person["id"],
        # CRM resources are looked up by workspace as everything else (ingest's crm_api); ids nobody has
        "connection_id": "crm_000000000000",
        "feed_id": "feed_000000000000",
        "sync_id": "sync_000000000000",
        "kind": "hubspot",
    }
    before = snapshot(a, ids)
    secrets_of_a = [ids["campaign_id"], ids["import_id"], ids["call_id"], "+12125550199", "+12125550188"]
    secrets_of_a += ["viewer-a@example.com", "+12125550171"]

    document = httpx.get(f"{stack.api}/openapi.json", timeout=30.0).raise_for_status().json()
    operations = [
        (method, path)
        for path, item in document["paths"].items()
        if path.startswith("/api/v1") and path not in PUBLIC
        for method in item
    ]
    operations.sort(key=lambda op: op in OWN)  # B's own creations last: they must not shadow A's resources
    for method, path in operations:
        url = stack.url("gateway") + re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)
        body = BODIES.get((method, path))
        assert anonymous.request(method, url, json=body).status_code == 401, (method, path)
        answer = b.request(method, url, json=body)
        if "{" in path and (method, path) not in OWN and "{kind}" not in path:  # a CRM's name is no resource
            assert answer.status_code == 404, (method, path, answer.status_code, answer.text)
        if answer.status_code < 300:  # (a 404 may echo the id B asked for; nothing else of A's may show)
            assert not any(s in answer.text for s in secrets_of_a), (method, path, answer.text)
    tried = len(operations)
    assert tried >= 30
    assert snapshot(a, ids) == before
    assert [agent["name"] for agent in b.get("/agents").json()] == ["B's"]

    forged = httpx.post(stack.url("gateway") + "/webhooks/twilio/messages/inbound", data={"From": "+1", "Body": "STOP"})
    assert forged.status_code == 403
    assert a.get("/workspace").json()["workspace_id"] != b.get("/workspace").json()["workspace_id"]


def test_roles_scopes_and_keys(stack: Stack) -> None:
    created = new_workspace(stack, "roles")
    admin = api_client(stack, created["api_key"])
    reader_key = admin.post("/keys", json={"name": "ro", "scopes": ["read"]}).raise_for_status().json()
    assert reader_key["secret"].startswith("ork_") and "digest" not in reader_key
    reader = api_client(stack, reader_key["secret"])
    assert reader.get("/campaigns").status_code == 200
    assert reader.post("/campaigns", json={"name": "x", "window": ALWAYS, "flow": []}).status_code == 403
    assert reader.get("/keys").status_code == 403
    writer_key = admin.post("/keys", json={"name": "rw", "scopes": ["write"]}).json()["secret"]
    writer = api_client(stack, writer_key)
    assert (
        writer.put("/agents/x", json={"id": "x", "name": "x", "kind": "twiml", "address": "https://x"}).status_code
        == 403
    )
    listed = admin.get("/keys").json()
    assert all("secret" not in k and "digest" not in k for k in listed)
    rotated = admin.post(f"/keys/{reader_key['id']}/rotate").raise_for_status().json()
    admin.delete(f"/keys/{rotated['id']}").raise_for_status()
    wait_for(lambda: api_client(stack, rotated["secret"]).get("/campaigns").status_code == 401, timeout=15)
    assert api_client(stack, "ork_000000000000_" + "x" * 43).get("/campaigns").status_code == 401
    actions = [e["action"] for e in admin.get("/audit").json()["items"]]
    assert {"key.create", "key.rotate", "key.revoke", "workspace.create"} <= set(actions)

    invited = admin.post("/people", json={"email": "op@example.com", "role": "operator"}).json()
    accepted = httpx.post(
        f"{stack.api}/people/accept", json={"token": invited["invitation_token"], "password": "operator password"}
    )
    assert accepted.status_code == 200
    browser = httpx.Client(base_url=stack.api, timeout=30.0)
    assert (
        browser.post("/auth/login", json={"email": "op@example.com", "password": "wrong password"}).status_code == 401
    )
    signed_in = browser.post("/auth/login", json={"email": "op@example.com", "password": "operator password"})
    cookie = signed_in.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert browser.get("/campaigns").status_code == 200
    assert browser.get("/keys").status_code == 403  # an operator runs campaigns, not keys
    browser.post("/auth/logout")
    assert browser.get("/campaigns").status_code == 401
