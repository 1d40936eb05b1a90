"""`make bench-crm`: a full sync of 100,000 HubSpot contacts from a fake HubSpot that allows 190 requests in
any 10 seconds (HubSpot's own limit for a private app), through the whole stack: from creating the feed to
the sync's report. `hubspot_100k_seconds` is read against `rate_limit_floor_seconds`, the time the fewest
requests such a sync needs (a page of 250 memberships, batch reads of 100 contacts) take at that rate;
`peak_rss_mb` is the ingest process's largest resident set meanwhile. `BENCH_CRM_RECORDS` makes it smaller."""

from __future__ import annotations

import math
import os
import threading
import time
import uuid

import httpx
import psutil
from outreach_crm_fakes.env import hubspot_env
from outreach_crm_fakes.hubspot import HubSpotState, create_app
from outreach_crm_fakes.serve import running
from outreach_devstack import processes
from outreach_devstack.stack import DEFAULT_PORTS, Stack, free_port

from bench.common import write
from bench.infra import endpoints

RECORDS = int(os.environ.get("BENCH_CRM_RECORDS", "100000"))
LIMIT, WINDOW_S = 190, 10.0
AREAS = ("212", "310", "312", "415", "512", "617", "646", "702", "713", "818", "904", "305", "206", "303", "404")
SPEC = {"name": "HubSpot list", "flow": [{"kind": "phone", "agent_id": "agt_1"}]}


def _phone(i: int) -> str:
    return f"+1{AREAS[i % len(AREAS)]}{200 + (i // 10_000) % 700:03d}{i % 10_000:04d}"


def _seed(url: str, count: int) -> None:
    for start in range(0, count, 10_000):
        contacts = [{"phone": _phone(i), "firstname": f"C{i}",
                     "lastname": "Bench", "email": f"c{i}@example.com", "state": "NY"}
                    for i in range(start, min(start + 10_000, count))]  # fmt: skip
        httpx.post(f"{url}/_fake/contacts", json={"list_id": "1", "contacts": contacts}, timeout=120).raise_for_status()


class PeakRss:
    """The largest resident set of a process, sampled every 200 ms in a thread."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, self.process.memory_info().rss / 2**20)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return round(self.peak, 1)


def main() -> None:
    bootstrap, mongo = endpoints()
    run = f"bcrm{uuid.uuid4().hex[:8]}"
    state = HubSpotState()
    state.limit.most, state.limit.interval_s = LIMIT, WINDOW_S
    with running(create_app(state)) as fake:
        _seed(fake, RECORDS)
        ports = {name: free_port() for name in DEFAULT_PORTS}
        stack = Stack(bootstrap, mongo, name=run, ports=ports, topic_prefix=f"{run}.", db_prefix=f"{run}_",
                      extra_env=hubspot_env(fake))  # fmt: skip
        stack.start(timeout=120)
        try:
            created = httpx.post(f"{stack.api}/workspaces", headers={"X-Bootstrap-Token": stack.bootstrap_token},
                                 json={"name": "bench", "admin_email": f"{run}@example.com",
                                       "admin_password": "bench password"}, timeout=60).raise_for_status()  # fmt: skip
            headers = {"Authorization": f"Bearer {created.json()['api_key']}"}
            token = httpx.post(f"{fake}/_fake/private-app-token", json={}).json()["token"]
            with httpx.Client(base_url=stack.api, headers=headers, timeout=120) as api:
                connection = api.post("/crm/connections", json={"kind": "hubspot", "name": "bench", "token": token})
                campaign = api.post("/campaigns", json=SPEC).raise_for_status().json()["id"]
                pid = processes.running_pid(f"{run}-ingest")
                assert pid is not None
                memory = PeakRss(pid)
                started = time.perf_counter()
                feed = api.post("/crm/feeds", json={"connection_id": connection.json()["id"], "campaign_id": campaign,
                                                    "source": {"list_id": "1"}}).raise_for_status().json()  # fmt: skip
                while (sync := api.get(f"/crm/syncs/{feed['last_sync_id']}").json())["status"] not in (
                    "completed",
                    "failed",
                ):
                    time.sleep(0.5)
                seconds = time.perf_counter() - started
                peak = memory.stop()
        finally:
            stack.stop()
    assert sync["status"] == "completed", sync
    fewest = math.ceil(RECORDS / 250) + math.ceil(RECORDS / 100)
    floor = fewest / (LIMIT / WINDOW_S)
    metrics = {
        "hubspot_100k_seconds": round(seconds, 1),
        "rate_limit_floor_seconds": round(floor, 1),
        "ratio_to_floor": round(seconds / floor, 3),
        "peak_rss_mb": peak,
        "records": RECORDS,
        "imported": sync["imported"],
        "requests": sync["requests"],
        "rate_limited_requests": state.limit.refused,
        "request_violations": len(state.violations),
    }
    write("crm", metrics)


if __name__ == "__main__":
    main()
