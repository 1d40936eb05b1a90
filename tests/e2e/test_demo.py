"""`outreach stack up --virtual-clock` then `outreach demo`, as `make demo` runs them: the example campaign
for about 300 contacts finishes on the virtual clock within its budget, and its closing check (nothing
outside a contact's window, from the simulator's log) holds."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Infra

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(900)
def test_make_demo_runs_the_example_campaign_to_its_end(infra: Infra, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "OUTREACH_STATE_DIR": str(tmp_path / "state"),  # own pid files, clock, token and logs
        "KAFKA_BOOTSTRAP": infra.kafka_bootstrap,
        "MONGO_URL": infra.mongo_url,
    }
    outreach = [str(Path(".venv/bin/outreach").absolute())]
    summary = tmp_path / "summary.json"
    try:
        subprocess.run([*outreach, "stack", "up", "--virtual-clock"], env=env, check=True, timeout=300)
        demo = subprocess.run(
            [*outreach, "demo", "--summary", str(summary)], env=env, timeout=600, capture_output=True, text=True
        )
    finally:  # the services only: the broker and the database are this test session's
        stop = "from outreach_devstack.stack import from_env; from_env().stop()"
        subprocess.run([str(Path(".venv/bin/python").absolute()), "-c", stop], env=env, check=True, timeout=600)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "check passed" in demo.stdout.splitlines()[-1]
    result = json.loads(summary.read_text())
    assert result["all_done"] and result["outside_window"] == 0
    assert result["import"] == {"rows": 302, "imported": 284, "duplicates": 6, "invalid": 8, "suppressed": 4}
    assert result["overview"]["total"] == 284 and result["overview"]["queued"] == result["overview"]["active"] == 0
    assert result["exited_by_reason"]["opted_out"] >= 6 and result["sms"] > 0
    assert result["wall_seconds"] < 300
