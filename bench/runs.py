"""`python -m bench.runs NAME [--runs 3]`: one benchmark run several times, each on a Kafka and a FerretDB of
its own (empty data in a fresh state folder, free ports), stopped when the run ends; writes
`bench/results/NAME.json` with the median of every figure (targets are read on it), the minimum and
maximum in `spread`, and each run's figures in `runs`. Nothing is left running."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import RESULTS, machine

NEEDS_INFRA = {"scheduler", "ingest", "metrics", "gateway", "dialer", "console", "crm"}


def _own_infra(state: Path) -> dict[str, str]:
    """Start a broker and a database in `state` on free ports; the environment that points a run at them."""
    os.environ["OUTREACH_STATE_DIR"] = str(state)  # pid files, logs and data of this run only
    from outreach_devstack import ferretdb, kafka
    from outreach_devstack.stack import free_port

    bootstrap = kafka.start(port=free_port(), controller_port=free_port())
    mongo = ferretdb.start(port=free_port())
    return {"KAFKA_BOOTSTRAP": bootstrap, "MONGO_URL": mongo, "OUTREACH_STATE_DIR": str(state)}


def _stop_infra() -> None:
    from outreach_devstack import ferretdb, kafka

    kafka.stop()
    ferretdb.stop()


def one_run(name: str, index: int) -> dict[str, Any]:
    """Run `bench.NAME` once in a subprocess; its result file."""
    state = Path(tempfile.mkdtemp(prefix=f"outreach-bench-{name}-{index}-"))
    results = state / "results"
    try:
        env = {**os.environ, "BENCH_RESULTS": str(results)}
        if name in NEEDS_INFRA:
            env.update(_own_infra(state))
        print(f"--- {name}: run {index + 1}", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", f"bench.{name}"], env=env, check=True)
        result: dict[str, Any] = json.loads((results / f"{name}.json").read_text())
        return result
    finally:
        if name in NEEDS_INFRA:
            _stop_infra()
        shutil.rmtree(state, ignore_errors=True)


def combined(name: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each numeric figure, its minimum and maximum, each run's figures, and the last run's
    details."""
    figures = [r["metrics"] for r in results]
    metrics: dict[str, Any] = {}
    spread: dict[str, dict[str, float]] = {}
    for key in figures[0]:
        values = [f.get(key) for f in figures]
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) == len(values):
            metrics[key] = round(statistics.median(numbers), 4)
            spread[key] = {"min": min(numbers), "max": max(numbers)}
        else:
            metrics[key] = values[-1]
    details = {k: v for k, v in results[-1].items() if k not in ("machine", "metrics")}
    return {"machine": machine(), "metrics": metrics, "spread": spread, "runs": figures, "last_run": details}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", help="The benchmark module under bench/ (scheduler, ingest, ...)")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    args = parser.parse_args()
    results = [one_run(args.name, i) for i in range(args.runs)]
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{args.name}.json"
    payload = combined(args.name, results)
    path.write_text(json.dumps(payload, indent=2) + "\n")
    print(json.dumps({"name": args.name, "metrics": payload["metrics"], "spread": payload["spread"]}, indent=2))


if __name__ == "__main__":
    main()
