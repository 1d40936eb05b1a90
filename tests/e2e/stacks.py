"""The whole local stack for one e2e test: own ports, topic prefix and databases; stopped afterwards."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
import pytest
from outreach_crm_fakes.serve import served
from outreach_devstack.stack import DEFAULT_PORTS, Stack, free_port

from tests.conftest import Infra
from tests.waiting import until

S = TypeVar("S")
ALWAYS = {
    "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
    "start": "00:00",
    "end": "24:00",
    "timezone": {"primary": "contact", "fallback": "America/New_York"},
    "compliance": "none",
}


@contextmanager
def isolated_stack(infra: Infra, run_id: str, extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    """Five services, the simulator and the SMTP sink, isolated by topic prefix, databases and ports."""
    stack = Stack(
        kafka_bootstrap=infra.kafka_bootstrap,
        mongo_url=infra.mongo_url,
        name=run_id,
        ports={name: free_port() for name in DEFAULT_PORTS},
        topic_prefix=f"{run_id}.",
        db_prefix=f"{run_id}_",
        extra_env=extra_env or {},
    )
    try:
        stack.start(timeout=90)
        yield stack
    finally:
        stack.stop()


def new_workspace(stack: Stack, name: str = "e2e") -> dict[str, str]:
    """A workspace made with the stack's bootstrap token: its id and an admin API key."""
    response = httpx.post(
        f"{stack.api}/workspaces",
        json={"name": name, "admin_email": f"{uuid.uuid4().hex[:10]}@example.com", "admin_password": "a long password"},
        headers={"X-Bootstrap-Token": stack.bootstrap_token},
        timeout=60.0,
    )
    created: dict[str, str] = response.raise_for_status().json()
    return created


def api_client(stack: Stack, key: str | None = None) -> httpx.Client:
    """A client of the public API (through the gateway) with `key`, or the admin key of a new workspace."""
    key = key or new_workspace(stack)["api_key"]
    return httpx.Client(base_url=stack.api, headers={"Authorization": f"Bearer {key}"}, timeout=30.0)


def launch(
    http: httpx.Client, stack: Stack, spec: dict[str, Any], csv: bytes, mapping: dict[str, str] | None = None
) -> dict[str, Any]:
    """Create the campaign `spec`, start it and import `csv` into it (mapping: phone column only by default),
    through the gateway with `http`'s key."""
    campaign: dict[str, Any] = http.post("/campaigns", json=spec).raise_for_status().json()
    http.post(f"/campaigns/{campaign['id']}/start").raise_for_status()
    http.post(
        "/imports",
        data={"campaign_id": campaign["id"], "mapping": json.dumps(mapping or {"to_number": "phone"})},
        files={"file": ("c.csv", csv, "text/csv")},
    ).raise_for_status()
    return campaign


def wait_for(check: Any, timeout: float = 120.0) -> None:
    """Poll `check` until it is true, or fail after `timeout` seconds (see `tests.waiting.until`)."""
    until(check, timeout=timeout, what=getattr(check, "__name__", "condition"))


@contextmanager
def crm_stack(
    infra: Infra, run_id: str, state: S, create_app: Callable[[S], Any], env: Callable[[str], dict[str, str]]
) -> Iterator[tuple[str, S, Stack]]:
    """A fake CRM holding `state`, and a stack whose ingest reaches it (`env` of the fake's URL): the fake's
    URL, its state and the stack."""
    with served(state, create_app) as (url, _), isolated_stack(infra, run_id, extra_env=env(url)) as stack:
        yield url, state, stack


def crm_fixture(state: Callable[[], S], create_app: Callable[[S], Any], env: Callable[[str], dict[str, str]]) -> Any:
    """A test module's `crm` fixture: `crm_stack` around a fresh `state()`."""

    @pytest.fixture
    def crm(infra: Infra, run_id: str) -> Iterator[tuple[str, S, Stack]]:
        with crm_stack(infra, run_id, state(), create_app, env) as found:
            yield found

    return crm


def finished_sync(http: httpx.Client, feed: dict[str, Any], timeout: float = 60.0) -> dict[str, Any]:
    """The feed's first sync once it has completed or failed."""

    def finished() -> dict[str, Any] | None:
        sync: dict[str, Any] = http.get(f"/crm/syncs/{feed['last_sync_id']}").raise_for_status().json()
        return sync if sync["status"] in ("completed", "failed") else None

    found: dict[str, Any] = until(finished, timeout=timeout, what="the sync finished")
    return found


def start_until_exited(http: httpx.Client, campaign: dict[str, Any], exited: int, timeout: float = 90.0) -> None:
    """Start the campaign and wait until `exited` of its contacts have exited."""
    http.post(f"/campaigns/{campaign['id']}/start").raise_for_status()
    until(lambda: http.get(f"/campaigns/{campaign['id']}/overview").json().get("exited") == exited,
          timeout=timeout, what=f"{exited} contacts called and exited")  # fmt: skip
