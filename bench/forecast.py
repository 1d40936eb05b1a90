"""`make bench-forecast`: `outreach campaign forecast` of examples/campaign.yaml for 100,000 contacts across
U.S. area codes, timed from the command's start to its JSON (file reading and checking included)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import write

ROWS = 100_000
AREAS = ("212", "718", "310", "415", "305", "512", "214", "312", "808", "907", "602", "206", "617", "404", "401", "215")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contacts.csv"
        with path.open("w") as out:
            out.write("phone,first_name\n")
            for i in range(ROWS):
                out.write(f"+1{AREAS[i % len(AREAS)]}{200 + (i // 10_000) % 700:03d}{i % 10_000:04d},C{i}\n")
        command = [
            sys.executable, "-m", "outreach_cli.main", "campaign", "forecast", "-f", "examples/campaign.yaml",
            "--contacts", str(path), "--map", "to_number=phone", "--start", "2026-03-09T12:30:00Z",
            "--calls-per-second", "20", "--concurrency", "500", "--json",
        ]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        seconds = time.perf_counter() - started
    result = json.loads(done.stdout)
    write(
        "forecast",
        {
            "forecast_100k_seconds": round(seconds, 2),
            "contacts": result["contacts"],
            "completes_at": result["completes_at"],
            "peak_concurrency": result["peak_concurrency"],
            "pacing_stretch_hours": result["pacing_stretch_hours"],
        },
    )


if __name__ == "__main__":
    main()
