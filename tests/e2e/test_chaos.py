"""The chaos run at a small size: services killed (each at least once), the broker and the database
restarted, while a three-step campaign runs on the virtual clock with opt-outs by STOP and do-not-call.
From the simulator's log and the stored states: no duplicate call, no lost contact, nothing outside a
contact's window, nobody reached after opting out, and an overview that matches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(1500)
def test_faults_never_reach_the_wrong_person_at_the_wrong_time(tmp_path: Path) -> None:
    out = tmp_path / "chaos.json"
    command = [sys.executable, "-m", "bench.chaos", "--contacts", "400", "--kills", "1", "--timeout", "900"]
    done = subprocess.run([*command, "--out", str(out)], timeout=1200, check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(out.read_text())["metrics"]
    assert figures["completed_in_time"], json.dumps(figures) + done.stdout[-2000:] + done.stderr[-20000:]
    assert figures["kills"] >= 6 and figures["restarts"] >= 8, figures
    for name in (
        "duplicate_calls",
        "duplicate_messages",
        "lost_contacts",
        "out_of_window_calls",
        "contacts_reached_after_opt_out",
        "overview_mismatches",
    ):
        assert figures[name] == 0, (name, figures)
    assert figures["calls"] > 400 and figures["sms"] > 0 and figures["opt_outs"] >= 8, figures
