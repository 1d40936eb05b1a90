"""The five services plus the Twilio simulator and an SMTP sink, each as its own process."""

from __future__ import annotations

import os
import random
import secrets
import socket
import sys
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx

from outreach_devstack import processes
from outreach_devstack.paths import state_dir

SERVICES = ("ingest", "scheduler", "dialer", "messenger", "metrics", "gateway")
DEFAULT_PORTS = {
    "gateway": 8000,
    "ingest": 8001,
    "scheduler": 8002,
    "dialer": 8003,
    "messenger": 8004,
    "metrics": 8005,
    "twilio-sim": 8090,
    "smtp": 8025,
}


def _ephemeral_start() -> int:
    """Where the system's ephemeral ports begin (the local ports of outgoing connections)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now, below the ephemeral range. A port the system hands
    out (bind to 0) is an ephemeral one: until the server binds it, any outgoing connection (a Kafka or
    MongoDB client's) may take it as its local port, and the server then fails with `address in use` (seen
    in CI: a dialer that started ten seconds after its port was chosen)."""
    top = _ephemeral_start()
    for _ in range(200):
        port = random.randrange(max(1024, top - 12_000), top)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:  # (all taken: what the system hands out)
        sock.bind(("127.0.0.1", 0))
        given: int = sock.getsockname()[1]
        return given


@dataclass
class Stack:
    """One running set of processes; `name` prefixes their pid files and logs so stacks can coexist."""

    kafka_bootstrap: str
    mongo_url: str
    name: str = "stack"
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    topic_prefix: str = ""
    db_prefix: str = "outreach_"
    extra_env: dict[str, str] = field(default_factory=dict)

    def url(self, part: str) -> str:
        """Base URL of a service or the simulator."""
        return f"http://127.0.0.1:{self.ports[part]}"

    @property
    def api(self) -> str:
        """The public API: the gateway's `/api/v1`."""
        return self.url("gateway") + "/api/v1"

    @property
    def bootstrap_token(self) -> str:
        """The gateway's bootstrap token of this stack (made once, kept in the state folder, 0600)."""
        path = state_dir() / f"{self.name}-bootstrap-token"
        if not path.exists():
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(32))
        return path.read_text().strip()

    def _proc(self, part: str) -> str:
        return f"{self.name}-{part}"

    def env_for(self, service: str) -> dict[str, str]:
        """Environment of one service process (the `OUTREACH_*` settings)."""
        return {
            "OUTREACH_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "OUTREACH_MONGO_URL": self.mongo_url,
            "OUTREACH_MONGO_DB": f"{self.db_prefix}{service}",
            "OUTREACH_TOPIC_PREFIX": self.topic_prefix,
            "OUTREACH_HTTP_PORT": str(self.ports[service]),
            "OUTREACH_PUBLIC_URL": self.url("gateway"),
            "OUTREACH_BOOTSTRAP_TOKEN": self.bootstrap_token,
            **{f"OUTREACH_{name.upper()}_URL": self.url(name) for name in SERVICES if name != "gateway"},
            "OUTREACH_TWILIO_BASE_URL": self.url("twilio-sim"),
            "OUTREACH_DEFAULT_AGENT_URL": self.url("twilio-sim") + "/twiml/agent",
            "OUTREACH_SMTP_PORT": str(self.ports["smtp"]),
            "OUTREACH_ENVIRONMENT": "development",
            **self.extra_env,
        }

    def start(self, *, timeout: float = 60.0) -> None:
        """Start the simulator, the SMTP sink and the five services; wait until every health check is green."""
        for name, port in self.ports.items():  # a port another stack answers on is never adopted
            processes.claim_port(self._proc(name), port)
        sim_env = {"OUTREACH_SIM_PORT": str(self.ports["twilio-sim"]), **self.extra_env}
        processes.start(self._proc("twilio-sim"), [sys.executable, "-m", "outreach_twilio_sim"], env=sim_env)
        processes.start(
            self._proc("smtp"),
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                f"127.0.0.1:{self.ports['smtp']}",
                "-c",
                "aiosmtpd.handlers.Sink",
            ],
        )
        for service in SERVICES:
            self._launch(service)
        processes.wait_until(
            self._proc("twilio-sim"), lambda: _http_ok(self.url("twilio-sim") + "/_sim/log"), timeout=timeout
        )
        for service in SERVICES:
            health = self.url(service) + "/health"
            processes.wait_until(self._proc(service), partial(_http_ok, health), timeout=timeout)

    def _launch(self, service: str) -> None:
        processes.start(self._proc(service), [sys.executable, "-m", f"outreach_{service}"], env=self.env_for(service))

    def kill(self, service: str) -> bool:
        """SIGKILL one service (a crash: nothing finishes, nothing is closed)."""
        return processes.kill(self._proc(service))

    def restart(self, service: str, *, timeout: float = 60.0) -> None:
        """Start one service again and wait until its health check is green."""
        self._launch(service)
        health = self.url(service) + "/health"
        processes.wait_until(self._proc(service), partial(_http_ok, health), timeout=timeout)

    def stop(self) -> None:
        """Stop every process of this stack."""
        for part in (*SERVICES, "twilio-sim", "smtp"):
            processes.stop(self._proc(part))

    def health(self) -> dict[str, bool]:
        """Health of each service."""
        return {s: _http_ok(self.url(s) + "/health") for s in SERVICES}


def _http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def clock_file() -> Path:
    """The shared virtual clock of the local stack started with `--virtual-clock` (an offset in seconds)."""
    return state_dir() / "clock"


def from_env(*, virtual_clock: bool = False) -> Stack:
    """The default local stack, with connection strings from the environment when given; with
    `virtual_clock`, every process reads the time from `clock_file()` (real time until someone shifts it)."""
    env = {"OUTREACH_CLOCK_FILE": str(clock_file())} if virtual_clock else {}
    return Stack(
        kafka_bootstrap=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        mongo_url=os.environ.get("MONGO_URL", "mongodb://127.0.0.1:27017/"),
        extra_env=env,
    )
