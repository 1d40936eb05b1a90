"""`make bench-scheduler`: writes bench/results/scheduler.json.

Next-eligible on 1,000,000 contacts, dispatch of 200,000 due enrollments from the MongoDB-wire server to
Kafka (a backlog all due, and dues spread over a minute), APScheduler 3.x on the same jobs, and the peak RSS
of a scheduler process with 1,000,000 enrolled contacts. Sizes: BENCH_DISPATCH_N, BENCH_RSS_N.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from bench import scheduler_dispatch, scheduler_next_eligible, scheduler_rss
from bench.common import write
from bench.infra import endpoints


def main() -> None:
    """Run the scheduler benchmarks."""
    core = scheduler_next_eligible.run()
    metrics: dict[str, Any] = {
        "next_eligible_1m_seconds": core["next_eligible_1m_seconds"],
        "next_eligible_ratio_vs_loop": core["next_eligible_ratio_vs_loop"],
        "dispatch_steps_per_s": None,
        "dispatch_p99_lag_s": None,
        "dispatch_ratio_vs_apscheduler": None,
        "peak_rss_mb_1m": None,
        "ready_after_restart_1m_s": None,
    }
    dispatch_n = int(os.environ.get("BENCH_DISPATCH_N", "200000"))
    rss_n = int(os.environ.get("BENCH_RSS_N", "1000000"))
    bootstrap, mongo_url = endpoints()
    backlog = asyncio.run(scheduler_dispatch.ours(bootstrap, mongo_url, dispatch_n, spread_s=0, batch=2000))
    spread = asyncio.run(scheduler_dispatch.ours(bootstrap, mongo_url, dispatch_n, spread_s=60, batch=2000))
    print({"backlog": backlog, "spread": spread}, file=sys.stderr)
    aps = asyncio.run(scheduler_dispatch.apscheduler(bootstrap, mongo_url, dispatch_n))
    print({"apscheduler": aps}, file=sys.stderr)
    rss = scheduler_rss.run(bootstrap, mongo_url, n=rss_n)
    metrics.update(
        {
            "dispatch_steps_per_s": round(backlog["steps_per_s"], 1),
            "dispatch_p99_lag_s": round(spread["p99_lag_s"], 3),
            "dispatch_ratio_vs_apscheduler": round(backlog["steps_per_s"] / aps["steps_per_s"], 2),
            "peak_rss_mb_1m": rss["peak_rss_mb"],
            "ready_after_restart_1m_s": rss["ready_after_restart_s"],
        }
    )
    write(
        "scheduler",
        metrics,
        sizes={"dispatch_n": dispatch_n, "rss_enrolled": rss_n},
        details={
            "core": core,
            "dispatch_backlog": backlog,
            "dispatch_spread_60s": spread,
            "apscheduler": aps,
            "rss": rss,
        },
    )


if __name__ == "__main__":
    main()
