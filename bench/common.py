"""Shared bench helpers: machine description and writing `bench/results/<name>.json`."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def results_dir() -> Path:
    """Where a run writes its result (`BENCH_RESULTS`: one run of several, see `bench.runs`)."""
    return Path(os.environ.get("BENCH_RESULTS") or RESULTS)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) // 1024
    except OSError:
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_mb": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write(name: str, metrics: dict[str, Any], **extra: Any) -> Path:
    """Write the result file and print it."""
    folder = results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    payload = {"machine": machine(), "metrics": metrics, **extra}
    path.write_text(json.dumps(payload, indent=2) + "\n")
    print(json.dumps(payload, indent=2))
    return path
