"""A fake CRM served on 127.0.0.1 from a background thread, for tests and benchmarks."""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import uvicorn
from fastapi import FastAPI

S = TypeVar("S")


@contextmanager
def running(app: FastAPI, *, port: int | None = None) -> Iterator[str]:
    """The app served until the block ends (on `port`, or one the system picks); its base URL."""
    warnings.filterwarnings("ignore", message="Unsupported scheme type")  # openapi-core on HubSpot's private-app key
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port or 0, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="fake-crm", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the fake CRM did not start (port {port or 'any'})")
        time.sleep(0.02)
    bound: int = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def served(state: S, create_app: Callable[[S], FastAPI]) -> Iterator[tuple[str, S]]:
    """A fake holding `state`, served until the block ends: its base URL, and the state to look into."""
    with running(create_app(state)) as url:
        yield url, state
