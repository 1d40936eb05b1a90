"""Start and stop background processes tracked by pid files, and wait for readiness."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from outreach_devstack.paths import log_dir, state_dir


class StartError(RuntimeError):
    """A process did not become ready; the message carries the tail of its log."""


class PortTakenError(StartError):
    """A port the stack needs answers, but not from a process this checkout started."""


def port_answers(port: int, host: str = "127.0.0.1") -> bool:
    """True when something accepts connections on `host:port`."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def claim_port(name: str, port: int) -> bool:
    """Whether the named process of this checkout already serves `port` (True: use it). A port another
    process answers on is never adopted: two clones would share data, and figures would mix."""
    if running_pid(name) is not None:
        return True
    if port_answers(port):
        raise PortTakenError(
            f"127.0.0.1:{port} ({name}) answers, but this checkout did not start it (another clone's stack, or "
            f"another program): stop it, or give this checkout its own state folder (OUTREACH_STATE_DIR) and ports"
        )
    return False


def pid_file(name: str) -> Path:
    """Pid file of a named process."""
    folder = state_dir() / "pids"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.pid"


def running_pid(name: str) -> int | None:
    """Pid of the named process when it is alive, else None."""
    path = pid_file(name)
    try:
        pid = int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    if not _alive(pid):  # (a child of this process that exited is reaped: a zombie is not alive)
        path.unlink(missing_ok=True)
        return None
    return pid


def start(name: str, argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> int:
    """Start `argv` in its own process group, logging to `<logs>/<name>.log`; return its pid."""
    existing = running_pid(name)
    if existing is not None:
        return existing
    log_path = log_dir() / f"{name}.log"
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            list(argv),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
    pid_file(name).write_text(str(proc.pid))
    return proc.pid


def stop(name: str, *, timeout: float = 20.0, first: signal.Signals = signal.SIGTERM) -> bool:
    """Stop the named process group (`first`, by default TERM, then KILL after `timeout`); True if one was
    running."""
    pid = running_pid(name)
    if pid is None:
        return False
    _signal_group(pid, first)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            break
        time.sleep(0.05)
    else:
        _signal_group(pid, signal.SIGKILL)
        time.sleep(0.2)
    pid_file(name).unlink(missing_ok=True)
    return True


def kill(name: str) -> bool:
    """SIGKILL the named process group at once (no clean-up, as a crash); True if one was running."""
    return stop(name, timeout=10.0, first=signal.SIGKILL)


def wait_until(name: str, ready: Callable[[], bool], *, timeout: float, interval: float = 0.25) -> None:
    """Poll `ready` until it is true; fail early if the process died, with its log tail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if running_pid(name) is None:
            raise StartError(f"{name} exited during start-up:\n{log_tail(name)}")
        time.sleep(interval)
    raise StartError(f"{name} not ready after {timeout:.0f}s:\n{log_tail(name)}")


def log_tail(name: str, lines: int = 40) -> str:
    """Last lines of a process log."""
    path = log_dir() / f"{name}.log"
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _alive(pid: int) -> bool:
    try:
        waited, _ = os.waitpid(pid, os.WNOHANG)
        if waited == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
