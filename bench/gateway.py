"""Gateway benchmark: latency it adds to a proxied authenticated GET, requests per second of one instance,
and its peak RSS while a 1 GB upload streams through it -> bench/results/gateway.json.

The upstream is a body sink (a bare ASGI app that answers at once), so the figures are the gateway's own:
authentication (a cached key), the scope check, the signed identity, the proxy both ways. A real service's
own time comes on top (measured too: `metrics_direct_p50_ms`, a metrics service's `/overviews`)."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time

import httpx
import psutil
from outreach_common.identity import HEADER, mint
from outreach_common.settings import DEV_SECRET
from outreach_devstack import processes
from outreach_devstack.stack import free_port

from bench.common import write
from bench.infra import endpoints

SAMPLES = 2000
LOAD_S = 10.0
CONNECTIONS = 32
UPLOAD = 1 << 30


def _start(name: str, argv: list[str], env: dict[str, str], url: str) -> None:
    processes.start(name, argv, env=env)
    processes.wait_until(name, lambda: _ok(url), timeout=60)


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _timings(client: httpx.Client, url: str, headers: dict[str, str]) -> list[float]:
    for _ in range(200):  # warm-up: connections, caches
        client.get(url, headers=headers).raise_for_status()
    out = []
    for _ in range(SAMPLES):
        start = time.perf_counter()
        client.get(url, headers=headers).raise_for_status()
        out.append((time.perf_counter() - start) * 1000)
    return sorted(out)


def _pct(values: list[float], q: float) -> float:
    return values[min(len(values) - 1, int(q * len(values)))]


async def _load(port: int, path: str, key: str) -> float:
    """Requests per second over keep-alive connections (a raw HTTP/1.1 client, so the load generator is
    not the bottleneck)."""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n\r\n".encode()
    done = 0
    stop = time.monotonic() + LOAD_S

    async def worker() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while time.monotonic() < stop:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 200"), head[:80]
            length = next(
                int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)
            done += 1
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
    return done / (time.monotonic() - started)


def _upload_peak_rss(gateway: str, key: str, pid: int) -> tuple[float, float]:
    """(peak RSS in MB of the gateway process tree, seconds) while 1 GB is posted through it."""
    chunk = b"x" * (1 << 20)

    def body():  # type: ignore[no-untyped-def]
        for _ in range(UPLOAD // len(chunk)):
            yield chunk

    tree = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    peak = 0.0
    done = False

    def watch() -> None:
        nonlocal peak
        while not done:
            peak = max(peak, sum(p.memory_info().rss for p in tree) / 2**20)
            time.sleep(0.02)

    import threading

    watcher = threading.Thread(target=watch)
    watcher.start()
    start = time.perf_counter()
    try:
        response = httpx.post(
            f"{gateway}/api/v1/imports",
            content=body(),
            headers={"Authorization": f"Bearer {key}", "Content-Type": "text/csv", "Content-Length": str(UPLOAD)},
            timeout=600,
        )
        assert response.json() == {"bytes": UPLOAD}, response.text
    finally:
        done = True
        watcher.join()
    return peak, time.perf_counter() - start


def main() -> None:
    """Start a metrics service and a gateway (ingest routed to a body sink), measure, stop them."""
    bootstrap, mongo = endpoints()
    run = f"benchgw{int(time.time())}"
    ports = {"metrics": free_port(), "gateway": free_port(), "sink": free_port()}
    url = {k: f"http://127.0.0.1:{p}" for k, p in ports.items()}
    common = {"OUTREACH_KAFKA_BOOTSTRAP": bootstrap, "OUTREACH_MONGO_URL": mongo, "OUTREACH_LOG_LEVEL": "WARNING"}
    names = [f"{run}-sink", f"{run}-metrics", f"{run}-gateway"]
    try:
        _start(
            names[0],
            [sys.executable, "-m", "uvicorn", "bench.sink:app", "--port", str(ports["sink"]), "--log-level", "warning"],
            {},
            url["sink"] + "/",
        )
        gateway = {"OUTREACH_METRICS_URL": url["metrics"], "OUTREACH_INGEST_URL": url["sink"]}
        gateway |= {"OUTREACH_RATE_PER_S": "1000000", "OUTREACH_RATE_BURST": "1000000"}
        metrics = {"OUTREACH_TOPIC_PREFIX": f"{run}."}
        for name, service, extra in ((names[1], "metrics", metrics), (names[2], "gateway", gateway)):
            env = {**common, "OUTREACH_MONGO_DB": f"{run}_{service}", "OUTREACH_HTTP_PORT": str(ports[service])}
            _start(name, [sys.executable, "-m", f"outreach_{service}"], env | extra, url[service] + "/health")
        created = (
            httpx.post(
                f"{url['gateway']}/api/v1/workspaces",
                json={"name": "bench", "admin_email": f"{run}@example.com", "admin_password": "bench password"},
                headers={"X-Bootstrap-Token": DEV_SECRET},
                timeout=60,
            )
            .raise_for_status()
            .json()
        )
        key, workspace = created["api_key"], created["workspace_id"]
        identity = {HEADER: mint(workspace, "key:bench", ["read"], DEV_SECRET, ttl_s=3600)}
        with httpx.Client(timeout=30) as client:
            direct = _timings(client, url["sink"] + "/imports/imp_bench", identity)
            proxied = _timings(client, url["gateway"] + "/api/v1/imports/imp_bench", {"Authorization": f"Bearer {key}"})
            service = _timings(client, url["metrics"] + "/overviews", identity)
        rps = asyncio.run(_load(ports["gateway"], "/api/v1/imports/imp_bench", key))
        pid = processes.running_pid(names[2])
        assert pid is not None
        peak, seconds = _upload_peak_rss(url["gateway"], key, pid)
    finally:
        for name in reversed(names):
            processes.stop(name)
    write(
        "gateway",
        {
            "added_p50_ms": round(_pct(proxied, 0.5) - _pct(direct, 0.5), 3),
            "added_p99_ms": round(_pct(proxied, 0.99) - _pct(direct, 0.99), 3),
            "rps": round(rps, 1),
            "upload_1gb_peak_rss_mb": round(peak, 1),
        },
        detail={
            "direct_p50_ms": round(_pct(direct, 0.5), 3),
            "proxied_p50_ms": round(_pct(proxied, 0.5), 3),
            "direct_mean_ms": round(statistics.fmean(direct), 3),
            "metrics_direct_p50_ms": round(_pct(service, 0.5), 3),
            "upload_1gb_s": round(seconds, 1),
            "connections": CONNECTIONS,
            "targets": {"added_p50_ms": "<= 2", "rps": ">= 2000", "upload_1gb_peak_rss_mb": "<= 150"},
        },
    )


if __name__ == "__main__":
    main()
