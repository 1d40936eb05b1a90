"""The chaos run: a three-step campaign for many contacts on the shared virtual clock, with opt-outs by
STOP reply and by the do-not-call list while it runs, and the fault driver killing what it can."""

from __future__ import annotations

import contextlib
import json
import random
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from outreach_common.clock import OffsetClock
from outreach_devstack import ferretdb, kafka
from outreach_devstack.stack import DEFAULT_PORTS, Stack, free_port
from pymongo import MongoClient

from bench.chaos import plan
from bench.chaos.faults import Faults
from bench.chaos.stall import diagnose
from bench.chaos.verdict import figures


def patiently(request: Callable[[], httpx.Response], limit_s: float = 180.0) -> httpx.Response:
    """`request` until it is answered without a server error: the service behind it may be down a while."""
    deadline = time.monotonic() + limit_s
    while True:
        try:
            response = request()
            if response.status_code < 500:
                return response.raise_for_status()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise RuntimeError(f"no answer without an error for {limit_s:.0f}s")
        time.sleep(0.5)


def _stack(state: Path, bootstrap: str, mongo: str) -> tuple[Stack, OffsetClock]:
    clock = OffsetClock(state / "clock")
    clock.shift(plan.START.timestamp() - time.time())
    scenario = state / "scenario.json"
    scenario.write_text(json.dumps(plan.SCENARIO))
    env = {
        "OUTREACH_CLOCK_FILE": str(state / "clock"),
        "OUTREACH_SIM_SCENARIO_FILE": str(scenario),
        "OUTREACH_CALLS_PER_SECOND": "40",
        "OUTREACH_MAX_CONCURRENT_CALLS": "200",
        "OUTREACH_RECONCILE_AFTER_S": "20",
        "OUTREACH_SLOT_LEASE_S": "30",
        "OUTREACH_LEASE_S": "30",
        "OUTREACH_LOG_LEVEL": "WARNING",
    }
    ports = {name: free_port() for name in DEFAULT_PORTS}
    stack = Stack(bootstrap, mongo, name="chaos", ports=ports, topic_prefix="chaos.", db_prefix="chaos_", extra_env=env)
    return stack, clock


def _workspace(stack: Stack) -> httpx.Client:
    created = httpx.post(
        f"{stack.api}/workspaces",
        json={"name": "chaos", "admin_email": f"{uuid.uuid4().hex[:8]}@example.com", "admin_password": "chaos run 1"},
        headers={"X-Bootstrap-Token": stack.bootstrap_token},
        timeout=60,
    ).raise_for_status()
    key = created.json()["api_key"]
    return httpx.Client(base_url=stack.api, headers={"Authorization": f"Bearer {key}"}, timeout=30)


def _launch(http: httpx.Client, rows: list[plan.Contact]) -> tuple[str, int]:
    """Create and start the campaign, import the contacts; (campaign id, contacts imported)."""
    patiently(lambda: http.post("/numbers", json={"number": plan.NUMBER, "tags": ["chaos"]}))
    spec = {"name": "chaos", "window": plan.WINDOW, "flow": plan.FLOW, "numbers": {"tags": ["chaos"]}}
    campaign = patiently(lambda: http.post("/campaigns", json=spec)).json()
    patiently(lambda: http.post(f"/campaigns/{campaign['id']}/start"))
    data = {"campaign_id": campaign["id"], "mapping": json.dumps({"to_number": "phone", "first_name": "first_name"})}
    files = {"file": ("chaos.csv", plan.csv_bytes(rows), "text/csv")}
    job = patiently(lambda: http.post("/imports", data=data, files=files)).json()
    url = f"/imports/{job['id']}"
    while job["status"] not in ("completed", "failed", "canceled"):
        time.sleep(1)
        job = patiently(lambda: http.get(url)).json()
    return str(campaign["id"]), int(job["imported"])


def _contacts(http: httpx.Client, campaign_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1000, **({"after": after} if after else {})}
        page = patiently(lambda p=params: http.get(f"/campaigns/{campaign_id}/contacts", params=p)).json()  # type: ignore[misc]
        rows += page["items"]
        after = page["next"]
        if after is None:
            return rows


class ClockDriver:
    """Moves the shared clock to the next due step once the network has been quiet for a while and no step
    is in flight (the only state read from a service's database: when to jump, never a verdict)."""

    def __init__(self, clock: OffsetClock, stack: Stack, mongo: str) -> None:
        self.clock, self.stack = clock, stack
        self.enrollments = MongoClient(mongo, serverSelectionTimeoutMS=3000)["chaos_scheduler"]["enrollments"]
        self.seen, self.quiet_since = -1, time.monotonic()

    def step(self) -> None:
        try:
            count = httpx.get(self.stack.url("twilio-sim") + "/_sim/calls/count", timeout=5).json()["created"]
            if count != self.seen:
                self.seen, self.quiet_since = count, time.monotonic()
                return
            if time.monotonic() - self.quiet_since < 6 or self.enrollments.count_documents({"state": "active"}):
                return
            first = self.enrollments.find_one({"state": "queued"}, sort=[("due_at", 1)])
        except Exception:
            return
        if first and first.get("due_at"):
            ahead = first["due_at"].timestamp() - self.clock.now().timestamp()
            if ahead > 0:
                self.clock.shift(ahead + 1)
                self.quiet_since = time.monotonic()


def run(
    *, contacts: int, kills_each: int, opt_out_share: float, timeout_s: float, seed: int, state: Path
) -> dict[str, Any]:
    rng = random.Random(seed)
    kafka_port, controller_port, db_port = free_port(), free_port(), free_port()
    started = time.monotonic()
    bootstrap = kafka.start(port=kafka_port, controller_port=controller_port)
    mongo = ferretdb.start(port=db_port)
    stack, clock = _stack(state, bootstrap, mongo)
    try:
        stack.start(timeout=120)
        http = _workspace(stack)
        rows = plan.contacts(contacts)
        campaign_id, imported = _launch(http, rows)
        stops, dnc = plan.opt_outs(rows, opt_out_share, rng)
        opted_out_at: dict[str, float] = {}

        def restart_broker() -> None:
            kafka.stop()
            kafka.start(port=kafka_port, controller_port=controller_port)

        def restart_database() -> None:
            ferretdb.stop()
            ferretdb.start(port=db_port)

        faults = Faults(stack, kills_each, restart_broker, restart_database, rng)
        driver = ClockDriver(clock, stack, mongo)
        complete, last_check = False, 0.0
        while time.monotonic() - started < timeout_s:
            if done := faults.step():
                print(f"[{time.monotonic() - started:7.1f}s] {done}", flush=True)
            if stops:
                phone = stops.pop()
                reply = {"webhook_url": f"{stack.url('gateway')}/webhooks/twilio/messages/inbound", "from": phone}
                answer = patiently(
                    lambda r=reply: httpx.post(  # type: ignore[misc]
                        stack.url("twilio-sim") + "/_sim/sms/inbound", json={**r, "to": plan.NUMBER, "body": "STOP"}
                    )
                )
                if answer.json()["status"] == 200:
                    opted_out_at[phone] = clock.now().timestamp()
                else:
                    stops.append(phone)  # the messenger or the gateway was down: reply again
            if dnc:
                phone = dnc.pop()
                patiently(lambda p=phone: http.post("/dnc", json={"phones": [p], "reason": "chaos"}))  # type: ignore[misc]
                opted_out_at[phone] = clock.now().timestamp()
            driver.step()
            if faults.done and time.monotonic() - last_check > 10:
                last_check = time.monotonic()
                found = _contacts(http, campaign_id)
                if len(found) == imported and all(r["state"] in ("exited", "errored", "completed") for r in found):
                    complete = True
                    break
            time.sleep(0.5)
        time.sleep(5)  # late callbacks and projections settle
        stalled = None if complete else diagnose(mongo)
        found = _contacts(http, campaign_id)
        overview = patiently(lambda: http.get(f"/campaigns/{campaign_id}/overview")).json()
        log = httpx.get(stack.url("twilio-sim") + "/_sim/log", timeout=60).json()
    finally:  # everything it started stops, even on a second Ctrl-C
        for stop in (stack.stop, kafka.stop, ferretdb.stop):
            with contextlib.suppress(BaseException):
                stop()
    result = figures(log, found, imported, opted_out_at, overview)
    return {
        **result,
        "completed_in_time": complete,
        **({"stalled": stalled} if stalled else {}),
        "contacts": contacts,
        "imported": imported,
        "opt_outs": len(opted_out_at),
        "kills": sum(faults.kills.values()),
        "kills_by_service": dict(faults.kills),
        "restarts": sum(faults.restarts.values()),
        "virtual_days": round((clock.now() - plan.START).total_seconds() / 86400, 2),
        "wall_seconds": round(time.monotonic() - started, 1),
    }
