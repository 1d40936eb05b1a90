"""The local stack never adopts a server it did not start: a port someone else answers on is refused with
a message that says what to do; a port this checkout's own process serves is used."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest
from outreach_devstack import processes
from outreach_devstack.stack import free_port

pytestmark = pytest.mark.unit


def test_a_port_answered_by_another_process_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTREACH_STATE_DIR", str(tmp_path))
    with socket.create_server(("127.0.0.1", 0)) as foreign:
        port = foreign.getsockname()[1]
        with pytest.raises(processes.PortTakenError, match=f"127.0.0.1:{port} .*did not start it"):
            processes.claim_port("kafka", port)
    assert processes.claim_port("kafka", free_port()) is False  # free: the caller starts its own


def test_a_port_this_checkout_serves_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTREACH_STATE_DIR", str(tmp_path))
    port = free_port()
    server = f"import socket,time; s=socket.create_server(('127.0.0.1',{port})); time.sleep(60)"
    processes.start("ours", [sys.executable, "-c", server])
    try:
        processes.wait_until("ours", lambda: processes.port_answers(port), timeout=10)
        assert processes.claim_port("ours", port) is True
    finally:
        assert processes.stop("ours")


def test_a_free_port_is_below_the_ephemeral_range() -> None:
    """Outgoing connections take their local ports from the ephemeral range: a server's port chosen there may
    be taken before the server binds it."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    ports = {free_port() for _ in range(20)}
    assert all(1024 <= p < low for p in ports) and len(ports) > 1
    for port in ports:
        with socket.create_server(("127.0.0.1", port)):
            pass


def test_a_server_that_exits_during_start_up_is_reported_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child that exited (its port taken, say) is not waited for until the deadline."""
    monkeypatch.setenv("OUTREACH_STATE_DIR", str(tmp_path))
    processes.start("dies", [sys.executable, "-c", "print('address already in use'); raise SystemExit(1)"])
    with pytest.raises(processes.StartError, match=r"exited during start-up(?s:.*)address already in use"):
        processes.wait_until("dies", lambda: False, timeout=30)
