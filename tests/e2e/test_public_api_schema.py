"""schemathesis against the gateway's public OpenAPI document with a valid key: no server error, every
answer documented, every body as its schema says (webhooks and sign-in included)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from outreach_devstack.stack import Stack

from tests.conftest import Infra
from tests.e2e.stacks import ALWAYS, api_client, isolated_stack, new_workspace

pytestmark = pytest.mark.e2e


@pytest.fixture
def stack(infra: Infra, run_id: str) -> Iterator[Stack]:
    with isolated_stack(infra, run_id, {"OUTREACH_RATE_PER_S": "1000", "OUTREACH_RATE_BURST": "1000"}) as s:
        yield s


def test_the_public_api_keeps_to_its_document(stack: Stack, tmp_path: Path) -> None:
    key = new_workspace(stack, "schema")["api_key"]
    with api_client(stack, key) as http:  # something to find, so not every lookup is a 404
        spec = {"name": "c", "window": ALWAYS, "flow": [{"kind": "phone", "agent_id": "a"}]}
        campaign = http.post("/campaigns", json=spec).raise_for_status()
        assert campaign.json()["status"] == "draft"
    st = Path(sys.executable).parent / "schemathesis"
    run = subprocess.run(
        [
            str(st),
            "run",
            f"{stack.api}/openapi.json",
            "--url",
            stack.url("gateway"),
            "-H",
            f"Authorization: Bearer {key}",
            "--checks",
            "not_a_server_error,status_code_conformance,response_schema_conformance",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "5",
            "--workers",
            "2",
            "--seed",
            "20261202",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    report = run.stdout + run.stderr
    summary = report[report.rfind("SUMMARY") :]
    assert "Tested:" in summary, report[-4000:]
    assert "Failures:" not in summary, report[-8000:]
