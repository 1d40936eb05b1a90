"""`python -m bench.chaos [--contacts N] [--kills K]`: the chaos run on its own broker and database; writes
bench/results/chaos.json (or the file named by --out)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from bench.common import write


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt  # a TERM (a CI timeout) stops what the run started, as Ctrl-C does


def _tails(state: Path, lines: int = 25) -> None:
    """Print where the run's state stays and the last lines of each process's log (to stderr)."""
    print(f"chaos state kept in {state}", file=sys.stderr)
    for log in sorted((state / "logs").glob("*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        print(f"--- {log.name} (last {len(tail)} lines)", *tail, sep="\n", file=sys.stderr)


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=5, dest="kills_each", help="Kills per service")
    parser.add_argument("--opt-out-share", type=float, default=0.01, help="Share replying STOP (as many go on DNC)")
    parser.add_argument("--timeout", type=float, default=3600.0, dest="timeout_s", help="Seconds before it gives up")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=None, help="Write the figures here instead of bench/results")
    params = vars(parser.parse_args())
    out = params.pop("out")  # the rest are `run`'s own parameters
    state = Path(tempfile.mkdtemp(prefix="outreach-chaos-"))
    os.environ["OUTREACH_STATE_DIR"] = str(state)  # own pid files, logs and data: nothing shared, nothing kept
    from bench.chaos.run import run  # after the state folder is set

    metrics: dict[str, object] = {}
    try:
        metrics = run(**params, state=state)
    finally:
        if os.environ.get("OUTREACH_CHAOS_KEEP") == "1" or not metrics.get("completed_in_time"):
            _tails(state)  # a stalled or broken run keeps its logs and data, and says where they are
        else:
            shutil.rmtree(state, ignore_errors=True)
    if out:
        out.write_text(json.dumps({"metrics": metrics}, indent=2) + "\n")
        print(json.dumps(metrics, indent=2))
    else:
        write("chaos", metrics)


if __name__ == "__main__":
    main()
