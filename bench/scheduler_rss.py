"""Peak RSS of one scheduler process (python -m outreach_scheduler) with 1,000,000 enrolled contacts."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import psutil
from outreach_common.mongo import ensure_indexes, make_client
from outreach_devstack.stack import free_port
from outreach_scheduler.adapters.repository import INDEXES, CampaignRepository
from outreach_scheduler.domain.campaign import Campaign

from bench.scheduler_dispatch import SPEC, _seed


async def _prepare(mongo_url: str, db_name: str, n: int, due_now: int) -> None:
    client = make_client(mongo_url)
    db = client[db_name]
    await ensure_indexes(db, INDEXES)
    now = datetime.now(UTC)
    await CampaignRepository(db).add(
        Campaign(id="cmp", workspace_id="ws", spec=SPEC, status="active", created_at=now), outbox=[]
    )
    later = now + timedelta(days=30)
    await _seed(db, "cmp", [now if i < due_now else later for i in range(n)])
    await client.close()


def run(bootstrap: str, mongo_url: str, n: int = 1_000_000, watch_s: float = 30.0) -> dict[str, float]:
    """Enroll `n` contacts (some due now), run the service, sample its RSS from its start (which builds the
    due index of all `n`) until `watch_s` after it serves; then kill it and time its restart to serving."""
    db_name = f"bench_rss_{uuid.uuid4().hex[:8]}"
    asyncio.run(_prepare(mongo_url, db_name, n, due_now=200))
    port = free_port()
    env = {
        **os.environ,
        "OUTREACH_KAFKA_BOOTSTRAP": bootstrap,
        "OUTREACH_MONGO_URL": mongo_url,
        "OUTREACH_MONGO_DB": db_name,
        "OUTREACH_HTTP_PORT": str(port),
        "OUTREACH_TOPIC_PREFIX": f"{db_name}.",
    }
    command = [sys.executable, "-m", "outreach_scheduler"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    restart_s = None
    try:
        process = psutil.Process(proc.pid)
        started = time.time()
        ready_s = None
        deadline = started + 900
        while time.time() < deadline:  # until it serves (the due index is built at start), then `watch_s`
            peak = max(peak, process.memory_info().rss / 2**20)
            if ready_s is None and _healthy(port):
                ready_s = time.time() - started
                deadline = time.time() + watch_s
            time.sleep(0.2)
        healthy = _healthy(port)
        proc.kill()  # a crash, then a restart: ready from the checkpoint written after the first start's read
        proc.wait(timeout=30)
        proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.time()
        while time.time() < started + 900 and restart_s is None:
            if _healthy(port):
                restart_s = time.time() - started
            time.sleep(0.1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    from pymongo import MongoClient

    MongoClient(mongo_url).drop_database(db_name)
    return {"peak_rss_mb": round(peak, 1), "healthy": float(healthy), "ready_s": round(ready_s or -1.0, 1),
            "ready_after_restart_s": round(restart_s or -1.0, 2)}  # fmt: skip


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False
