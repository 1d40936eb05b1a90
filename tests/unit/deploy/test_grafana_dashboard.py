"""The Grafana dashboard only queries metrics the services export, and exported labels stay bounded."""

from __future__ import annotations

import asyncio
import importlib
import json
import re
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).parents[3]
DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "outreach.json"
SERVICES = ("ingest", "scheduler", "dialer", "messenger", "metrics")
METRIC = re.compile(r"\b((?:outreach|faststream)_[a-zA-Z0-9_]+)")
UNBOUNDED_LABELS = {"phone", "number", "contact_id", "contact", "email", "campaign_id", "to", "from"}


async def _exposition(service: str) -> str:
    """What the service's /metrics answers (the app is built, not started: no broker or database needed)."""
    app = importlib.import_module(f"outreach_{service}.bootstrap").build()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc", follow_redirects=True) as http:
        response = await http.get("/metrics")
    assert response.status_code == 200
    return response.text


def _exported(text: str) -> tuple[set[str], set[str]]:
    """Sample names a query may use, and every label name seen."""
    names: set[str] = set()
    labels: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# TYPE"):
            _, _, name, kind = line.split()
            base = name.removesuffix("_total")
            names |= {name, base}
            if kind == "counter":
                names.add(base + "_total")
            if kind == "histogram":
                names |= {name + "_bucket", name + "_sum", name + "_count"}
        elif line and not line.startswith("#"):
            names.add(line.split("{")[0].split()[0])
            labels |= set(re.findall(r"([a-zA-Z_]+)=\"", line))
    return names, labels


@pytest.fixture(scope="module")
def exported() -> tuple[set[str], set[str]]:
    names: set[str] = set()
    labels: set[str] = set()
    for service in SERVICES:
        n, lab = _exported(asyncio.run(_exposition(service)))
        names |= n
        labels |= lab
    return names, labels


def test_dashboard_is_provisionable_json() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"] == "Outreach"
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    provisioning = (ROOT / "deploy" / "grafana" / "provisioning" / "dashboards" / "outreach.yaml").read_text()
    assert "path: /var/lib/grafana/dashboards/outreach" in provisioning


def test_every_queried_metric_is_exported(exported: tuple[set[str], set[str]]) -> None:
    names, _ = exported
    queried = {
        name
        for panel in json.loads(DASHBOARD.read_text())["panels"]
        for target in panel.get("targets", [])
        for name in METRIC.findall(target["expr"])
    }
    assert len(queried) >= 15
    assert sorted(queried - names) == []


def test_labels_stay_bounded(exported: tuple[set[str], set[str]]) -> None:
    _, labels = exported
    assert not labels & UNBOUNDED_LABELS
