"""The operator's command line against the running stack: every verb through the gateway, tables and
--json, the API's field paths on refusal, and the exit codes (0 done, 1 refused, 2 usage, 3 unreachable or
not signed in). The routes the command line calls are all in the gateway's OpenAPI document."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from outreach_cli.client import ROUTES
from outreach_cli.main import app
from outreach_devstack.stack import Stack
from typer.testing import CliRunner

from tests.conftest import Infra
from tests.e2e.stacks import isolated_stack, new_workspace, wait_for

pytestmark = pytest.mark.e2e

CSV = "phone,first_name,state\n+1 212 555 0171,Ada,NY\n(212) 555-0172,Bo,NY\nnot a number,Cy,NY\n212.555.0171,Ada,NY\n"
CAMPAIGN = """
name: CLI campaign
window:
  days: [mon, tue, wed, thu, fri, sat, sun]
  start: "00:00"
  end: "24:00"
  timezone: {primary: contact, fallback: America/New_York}
  compliance: none
flow:
  - kind: phone
    agent_id: cli-agent
"""


@pytest.fixture(scope="module")
def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    scenario = tmp_path_factory.mktemp("sim") / "scenario.json"
    scenario.write_text(json.dumps({"default": {"outcome": "no_answer", "ring_s": 0.05}}))
    run_id = f"tcli{uuid.uuid4().hex[:8]}"
    with isolated_stack(infra, run_id, {"OUTREACH_SIM_SCENARIO_FILE": str(scenario)}) as s:
        yield s


@pytest.fixture(scope="module")
def cli(stack: Stack) -> CliRunner:
    key = new_workspace(stack, "cli")["api_key"]
    return CliRunner(env={"OUTREACH_URL": stack.url("gateway"), "OUTREACH_API_KEY": key, "COLUMNS": "200"})


def run(cli: CliRunner, *args: str, code: int = 0) -> str:
    result = cli.invoke(app, list(args))
    assert result.exit_code == code, (args, result.output)
    return result.output


def test_every_route_the_command_line_calls_is_in_the_public_document(stack: Stack) -> None:
    paths = httpx.get(f"{stack.api}/openapi.json", timeout=30).json()["paths"]
    missing = [(m, r) for m, r in sorted(ROUTES) if m.lower() not in paths.get("/api/v1" + r, {})]
    assert missing == []


def test_a_campaign_from_file_to_finish(cli: CliRunner, tmp_path: Path) -> None:
    spec = tmp_path / "campaign.yaml"
    spec.write_text(CAMPAIGN)
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(CSV)
    assert "CampaignSpec" in run(cli, "campaign", "schema") or '"flow"' in run(cli, "campaign", "schema")
    run(cli, "agents", "add", "cli-agent", "--address", "https://agents.example.com/twiml", "--name", "CLI agent")
    assert "cli-agent" in run(cli, "agents", "list")
    created = json.loads(run(cli, "campaign", "create", "-f", str(spec), "--json"))
    cid = created["id"]
    assert created["status"] == "draft"
    assert cid in run(cli, "campaign", "list")
    edited = tmp_path / "edit.yaml"
    edited.write_text("description: edited from the command line\n")
    run(cli, "campaign", "edit", cid, "-f", str(edited))
    assert json.loads(run(cli, "campaign", "show", cid, "--json"))["spec"]["description"].startswith("edited")

    run(cli, "dnc", "add", "+1 212 555 0172", "--reason", "asked")
    assert "+12125550172" in run(cli, "dnc", "list")
    job = json.loads(
        run(
            cli,
            "contacts",
            "import",
            str(contacts),
            "--campaign",
            cid,
            "--map",
            "to_number=phone",
            "--map",
            "first_name=first_name",
            "--json",
        )
    )
    assert (job["status"], job["rows"], job["imported"]) == ("completed", 4, 1)
    rejected = tmp_path / "rejected.csv"
    run(cli, "contacts", "rejected", job["id"], "-o", str(rejected))
    assert len(rejected.read_text().strip().splitlines()) == 4  # header + invalid, duplicate, do-not-call
    preview = run(cli, "campaign", "preview", cid)
    assert "3 of 4 contacts will be skipped" in preview
    assert json.loads(run(cli, "campaign", "preview", cid, "--json"))["skipped"] == 3  # the JSON and nothing else

    assert "active" in run(cli, "campaign", "start", cid)

    def called() -> bool:
        listed = json.loads(run(cli, "contacts", "list", "--campaign", cid, "--json"))["items"]
        return [r["state"] for r in listed] == ["completed"]

    wait_for(called, timeout=90)
    assert "+12125550171" in run(cli, "calls", "list", "--campaign", cid)
    assert "completed" in run(cli, "contacts", "list", "--campaign", cid, "--state", "completed")
    view = run(cli, "campaign", "watch", cid, "--once")
    assert "CLI campaign" in view and "1 phone" in view
    assert "stopped" in run(cli, "campaign", "stop", cid)
    run(cli, "campaign", "resume", cid, code=1)  # a stopped campaign cannot resume: refused (409), exit 1
    assert json.loads(run(cli, "messages", "list", "--campaign", cid, "--json"))["items"] == []
    run(cli, "dnc", "remove", "+12125550172")


def test_numbers_and_lifecycle_verbs(cli: CliRunner, tmp_path: Path) -> None:
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("number,tags\n+12125550190,east;sales\n+13105550190,west\n")
    run(cli, "numbers", "import", str(numbers), "--tag", "cli")
    assert "+13105550190" in run(cli, "numbers", "list", "--tag", "west")
    tagged = json.loads(run(cli, "numbers", "tag", "+13105550190", "--add", "vip", "--remove", "west", "--json"))
    assert tagged["tags"] == ["cli", "vip"]
    spec = tmp_path / "campaign.yaml"
    spec.write_text(CAMPAIGN)
    cid = json.loads(run(cli, "campaign", "create", "-f", str(spec), "--json"))["id"]
    assert "scheduled" in run(cli, "campaign", "start", cid, "--at", "2099-01-01T09:00:00Z")
    run(cli, "campaign", "pause", cid, code=1)  # only an active campaign pauses
    assert "stopped" in run(cli, "campaign", "stop", cid)


def test_keys_and_people_made_listed_and_removed(cli: CliRunner) -> None:
    made = json.loads(run(cli, "keys", "create", "nightly export", "--scope", "read"))
    assert made["secret"].startswith(made["prefix"].rstrip("…")) and made["scopes"] == ["read"]
    reader = CliRunner(env={**cli.env, "OUTREACH_API_KEY": made["secret"]})
    assert reader.invoke(app, ["campaign", "list"]).exit_code == 0
    table = run(cli, "keys", "list")
    assert "SCOPES" in table and "nightly export" in table and made["secret"] not in table
    run(cli, "keys", "revoke", made["id"])
    listed = {k["id"]: k for k in json.loads(run(cli, "keys", "list", "--json"))}
    assert listed[made["id"]]["revoked_at"] is not None
    assert reader.invoke(app, ["campaign", "list"]).exit_code == 3  # a revoked key signs nobody in
    invited = json.loads(run(cli, "people", "invite", "ops@example.com", "--role", "viewer"))
    row = next(line for line in run(cli, "people", "list").splitlines() if "ops@example.com" in line)
    assert "viewer" in row and "invited" in row
    run(cli, "people", "remove", invited["id"])
    assert "ops@example.com" not in [p["email"] for p in json.loads(run(cli, "people", "list", "--json"))]


def test_mistakes_get_a_clear_message_and_their_exit_code(cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nflow:\n  - kind: phone\n")  # no agent
    out = run(cli, "campaign", "create", "-f", str(bad), code=1)
    assert "flow.0.phone.agent_id: Field required" in out
    assert "Traceback" not in out
    run(cli, "campaign", "create", "-f", str(tmp_path / "missing.yaml"), code=2)
    (tmp_path / "broken.yaml").write_text("name: [unclosed\n")
    assert "not valid YAML" in run(cli, "campaign", "create", "-f", str(tmp_path / "broken.yaml"), code=2)
    run(cli, "campaign", "start", "cmp_missing", "--at", "2030-01-01T09:00:00", code=2)  # no offset
    run(cli, "campaign", "show", "cmp_missing", code=1)
    assert "cannot reach" in run(cli, "campaign", "list", "--url", "http://127.0.0.1:9", code=3)
    no_key = CliRunner(env={"OUTREACH_API_KEY": "", "XDG_CONFIG_HOME": str(tmp_path)})
    assert no_key.invoke(app, ["campaign", "list"]).exit_code == 3
    assert run(cli, "campaign", "list", "--key", "ork_000000000000_" + "x" * 43, code=3)
