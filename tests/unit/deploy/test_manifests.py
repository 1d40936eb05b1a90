"""docker-compose.yml and the Kubernetes manifests agree with the code (no Docker engine runs here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from outreach_common.settings import DEV_SECRET
from outreach_dialer.config import Settings as DialerSettings
from outreach_gateway.config import Settings as GatewaySettings
from outreach_ingest.config import Settings as IngestSettings
from outreach_messenger.config import Settings as MessengerSettings
from outreach_metrics.config import Settings as MetricsSettings
from outreach_scheduler.config import Settings as SchedulerSettings
from pydantic_settings import BaseSettings

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[3]
SETTINGS: dict[str, type[BaseSettings]] = {
    "ingest": IngestSettings,
    "scheduler": SchedulerSettings,
    "dialer": DialerSettings,
    "messenger": MessengerSettings,
    "metrics": MetricsSettings,
    "gateway": GatewaySettings,
}


def env_names(settings: type[BaseSettings]) -> set[str]:
    prefix = settings.model_config.get("env_prefix", "")
    return {f"{prefix}{name}".upper() for name in settings.model_fields}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def test_compose_has_kafka_kraft_mongo_and_every_service(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["kafka"]["image"].startswith("apache/kafka:4.")
    assert "controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    assert services["mongo"]["image"].startswith("mongo:")
    assert set(SETTINGS) <= set(services)


@pytest.mark.parametrize("service", SETTINGS)
def test_compose_service_matches_its_settings(compose: dict[str, Any], service: str) -> None:
    spec = compose["services"][service]
    assert spec["build"] == "."
    assert spec["command"] == ["python", "-m", f"outreach_{service}"]
    unknown = set(spec["environment"]) - env_names(SETTINGS[service])
    assert unknown == set(), f"{service} sets variables its Settings does not read: {unknown}"
    SETTINGS[service](**{k.removeprefix("OUTREACH_").lower(): v for k, v in spec["environment"].items()})
    assert (ROOT / "services" / service / "src" / f"outreach_{service}" / "__main__.py").exists()


def k8s(name: str) -> Any:
    return yaml.safe_load((ROOT / "deploy" / "k8s" / name).read_text())


def local_defaults(settings: type[BaseSettings]) -> set[str]:
    """Variables whose default only works on a developer's machine: local addresses, example values, the
    development secret. A production pod must be given each of them."""
    prefix = settings.model_config.get("env_prefix", "")
    return {
        f"{prefix}{name}".upper()
        for name, field in settings.model_fields.items()
        if isinstance(field.default, str)
        and ("127.0.0.1" in field.default or "example" in field.default or field.default == DEV_SECRET)
    }


@pytest.mark.parametrize("service", SETTINGS)
def test_k8s_deployment_matches_its_settings(service: str) -> None:
    deployment, svc = list(yaml.safe_load_all((ROOT / "deploy" / "k8s" / f"{service}.yaml").read_text()))
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["python", "-m", f"outreach_{service}"]
    own = {e["name"] for e in container["env"]}
    assert own <= env_names(SETTINGS[service]), f"{service} sets variables it does not read"
    given = set(k8s("configmap.yaml")["data"]) | set(k8s("secret.example.yaml")["stringData"]) | own
    missing = local_defaults(SETTINGS[service]) - given
    assert missing == set(), f"a {service} pod would fall back to development values of {missing}"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"  # an outage must not restart pods
    assert svc["kind"] == "Service"


def test_k8s_config_and_secret_name_only_variables_a_service_reads() -> None:
    read = set().union(*(env_names(s) for s in SETTINGS.values()))
    named = set(k8s("configmap.yaml")["data"]) | set(k8s("secret.example.yaml")["stringData"])
    assert named - read == set()
    assert "OUTREACH_PUBLIC_URL" in named and k8s("configmap.yaml")["data"]["OUTREACH_TWILIO_BASE_URL"] == ""


def test_dockerfile_copies_every_workspace_member() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    for folder in ("contracts", "libs", "services", "tools", "cli"):
        assert f"COPY {folder} {folder}" in dockerfile


def test_compose_file_is_valid_against_the_compose_specification() -> None:
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(exe), "--builtin-schema", "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
