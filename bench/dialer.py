"""`make bench-dialer`: 20,000 queued calls at 50 calls/s and at most 200 in flight, simulated durations.

The simulator's own records give the figures: maximum concurrency, the achieved rate as a ratio of the
limit (overall, and the busiest one-second window, sliding), and the dialer's overhead per call from its
Prometheus histogram. The dialer and the simulator run as their own processes, as in production."""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer
from outreach_contracts.calls import PlaceCall
from outreach_contracts.campaigns import CampaignPaused, CampaignResumed
from outreach_contracts.contacts import ContactData
from outreach_contracts.topics import Topics
from outreach_contracts.window import ContactWindow
from outreach_devstack import processes
from outreach_devstack.stack import free_port
from outreach_twilio_sim.measure import max_concurrency, max_per_window, per_second
from outreach_twilio_sim.scenario import mix

from bench.common import write
from bench.infra import endpoints

CALLS = int(os.environ.get("BENCH_DIALER_CALLS", "20000"))
WRITES = {"insert", "update", "delete", "findAndModify"}
RATE, CONCURRENT = 50.0, int(os.environ.get("BENCH_DIALER_CONCURRENT", "200"))
CALL_MIX = mix(("answered_human", 1.0, 2.5, 5), ("voicemail", 1.5, 1.0, 2),
           ("no_answer", 3.0, None, 2), ("busy", 0.3, None, 1))  # fmt: skip
SCENARIO = {"seed": 7, "distribution": CALL_MIX}
ALWAYS = ContactWindow(
    days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"], start="00:00", end="24:00", compliance="none"
)


async def produce(bootstrap: str, topics: Topics) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    await producer.start()
    try:
        now = datetime.now(UTC)
        hold = CampaignPaused(occurred_at=now, workspace_id="ws", campaign_id="bench")
        await producer.send_and_wait(topics.campaigns, hold.model_dump_json().encode(), key=b"bench")
        await asyncio.sleep(2)  # the hold lands before the commands: the queue fills before dialing starts
        for i in range(CALLS):
            command = PlaceCall(
                occurred_at=now,
                workspace_id="ws",
                idempotency_key=f"bench:{i}",
                campaign_id="bench",
                contact_id=f"ct{i}",
                step_index=0,
                attempt=1,
                agent_id="agt",
                contact=ContactData(phone=f"+1212{5550000 + i % 9999:07d}", first_name="Bench"),
                window=ALWAYS,
            )
            await producer.send(
                topics.call_commands, command.model_dump_json().encode(), key=command.contact_id.encode()
            )
        await producer.flush()
    finally:
        await producer.stop()


async def resume(bootstrap: str, topics: Topics) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        event = CampaignResumed(occurred_at=datetime.now(UTC), workspace_id="ws", campaign_id="bench")
        await producer.send_and_wait(topics.campaigns, event.model_dump_json().encode(), key=b"bench")
    finally:
        await producer.stop()


async def wait_for(check, limit_s: float, every: float = 2.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(every)
    raise TimeoutError("benchmark did not finish in time")


async def main(bootstrap: str, mongo: str) -> None:
    run = f"benchdial{int(time.time())}"
    topics = Topics(prefix=f"{run}.")
    sim_port, dialer_port = free_port(), free_port()
    work = Path(tempfile.mkdtemp(prefix="bench-dialer-"))
    (work / "scenario.json").write_text(json.dumps(SCENARIO))
    sim_url, dialer_url = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{dialer_port}"
    env = {
        "OUTREACH_KAFKA_BOOTSTRAP": bootstrap,
        "OUTREACH_MONGO_URL": mongo,
        "OUTREACH_MONGO_DB": f"{run}_dialer",
        "OUTREACH_TOPIC_PREFIX": f"{run}.",
        "OUTREACH_HTTP_PORT": str(dialer_port),
        "OUTREACH_PUBLIC_URL": dialer_url,
        "OUTREACH_TWILIO_BASE_URL": sim_url,
        "OUTREACH_DEFAULT_AGENT_URL": sim_url + "/twiml/agent",
        "OUTREACH_CALLS_PER_SECOND": str(RATE),
        "OUTREACH_MAX_CONCURRENT_CALLS": str(CONCURRENT),
        "OUTREACH_DIAL_INTERVAL_S": "0.01",
        "OUTREACH_LOG_LEVEL": "WARNING",
    }
    names = [f"{run}-sim", f"{run}-dialer"]
    processes.start(
        names[0],
        [sys.executable, "-m", "outreach_twilio_sim"],
        env={"OUTREACH_SIM_PORT": str(sim_port), "OUTREACH_SIM_SCENARIO_FILE": str(work / "scenario.json")},
    )
    processes.start(names[1], [sys.executable, "-m", "outreach_dialer"], env=env)
    try:
        async with httpx.AsyncClient(timeout=60, follow_redirects=True) as http:

            async def healthy() -> bool:
                try:
                    return (await http.get(f"{dialer_url}/health")).status_code == 200
                except httpx.HTTPError:
                    return False

            await wait_for(healthy, 120, 0.5)
            await produce(bootstrap, topics)

            async def queued() -> bool:
                text = (await http.get(f"{dialer_url}/metrics")).text
                match = re.search(r"^outreach_dialer_queue_depth (\S+)", text, re.M)
                return match is not None and float(match.group(1)) >= CALLS

            await wait_for(queued, 1800, 5.0)
            await resume(bootstrap, topics)

            async def done() -> bool:  # polls counts only: listing every call would stall the simulator
                count = (await http.get(f"{sim_url}/_sim/calls/count")).json()
                return bool(count["created"] >= CALLS and count["ended"] == count["created"])

            finished = True
            try:
                await wait_for(done, CALLS / RATE * 8 + 600, 5.0)
            except TimeoutError:
                finished = False  # report what was dialed, and say so
            calls = [c for c in (await http.get(f"{sim_url}/_sim/calls")).json() if c["ended_at"]]
            metrics = (await http.get(f"{dialer_url}/metrics")).text
    finally:
        for name in reversed(names):
            processes.stop(name)
    finished = locals().get("finished", True)
    created = sorted(c["created"] for c in calls)
    overall = (len(created) - 1) / (created[-1] - created[0]) / RATE
    buckets = per_second(created)
    full_seconds = [n for second, n in buckets.items() if int(created[0]) < second < int(created[-1])]
    total = float(re.search(r"^outreach_dialer_overhead_seconds_sum (\S+)", metrics, re.M).group(1))  # type: ignore[union-attr]
    count = float(re.search(r"^outreach_dialer_overhead_seconds_count (\S+)", metrics, re.M).group(1))  # type: ignore[union-attr]
    db_seconds: dict[str, float] = {}
    db_counts: dict[str, float] = {}
    for line in metrics.splitlines():
        for prefix, into in (
            ("outreach_db_command_seconds_sum{", db_seconds),
            ("outreach_db_command_seconds_count{", db_counts),
        ):
            if line.startswith(prefix):
                labels, value = line[len(prefix) :].rsplit("} ", 1)
                named = dict(re.findall(r'(\w+)="([^"]*)"', labels))
                into[f"{named.get('command')} {named.get('collection')}"] = round(float(value), 2)
    writes = sum(n for k, n in db_counts.items() if k.split()[0] in WRITES)
    write(
        "dialer",
        {
            "max_concurrency": max_concurrency(calls),
            "concurrency_limit": CONCURRENT,
            "rate_ratio_overall": round(overall, 4),
            "rate_ratio_max_1s": round(max(full_seconds or [0]) / RATE, 4),
            "rate_ratio_max_1s_sliding": round(max_per_window(created) / RATE, 4),
            "overhead_ms_per_call": round(total / count * 1000, 3) if count else None,
            "db_statements_per_call": round(sum(db_counts.values()) / len(calls), 2) if calls else None,
            "db_writes_per_call": round(writes / len(calls), 2) if calls else None,
        },
        calls=len(calls),
        finished=finished,
        database_seconds_by_statement=dict(sorted(db_seconds.items(), key=lambda item: -item[1])[:12]),
        database_statements_by_kind=dict(sorted(db_counts.items(), key=lambda item: -item[1])[:20]),
        calls_per_second=[buckets.get(second, 0) for second in range(int(created[0]), int(created[-1]) + 1)],
        limit_calls_per_s=RATE,
        scenario=SCENARIO,
    )


if __name__ == "__main__":
    asyncio.run(main(*endpoints()))
