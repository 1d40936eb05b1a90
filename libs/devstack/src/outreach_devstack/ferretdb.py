"""The MongoDB-wire server for machines without Docker: FerretDB 1.x (SQLite backend), built with Go."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from outreach_devstack import processes
from outreach_devstack.paths import cache_dir, repo_root, state_dir

NAME = "ferretdb"
HOST = "127.0.0.1"
PORT = 27017


def binary() -> Path:
    """Path of our FerretDB program in the cache."""
    return cache_dir() / "ferretdb" / "ferretdb"


def install() -> Path:
    """Build the small Go program under `deploy/local/ferretdb` (once)."""
    target = binary()
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    source = repo_root() / "deploy" / "local" / "ferretdb"
    env = {**os.environ, "CGO_ENABLED": os.environ.get("CGO_ENABLED", "0")}
    subprocess.run(["go", "build", "-trimpath", "-o", str(target), "."], cwd=source, env=env, check=True)
    return target


def url(port: int = PORT) -> str:
    """Connection string of the local server."""
    return f"mongodb://{HOST}:{port}/"


def start(*, port: int = PORT, timeout: float = 60.0) -> str:
    """Build if needed, start FerretDB with its data in the state folder, and wait for `ping`."""
    mongo_url = url(port)
    if is_ready(mongo_url):  # ours, or one someone else runs there: use it, never start a second
        return mongo_url
    exe = install()
    data = state_dir() / "ferretdb"
    data.mkdir(parents=True, exist_ok=True)
    processes.start(NAME, [str(exe), "-listen", f"{HOST}:{port}", "-data", str(data)])
    processes.wait_until(NAME, lambda: is_ready(mongo_url), timeout=timeout)
    return mongo_url


def stop() -> bool:
    """Stop the local server."""
    return processes.stop(NAME)


def is_ready(mongo_url: str) -> bool:
    """True when the server answers `ping`."""
    client: MongoClient[dict[str, object]] = MongoClient(mongo_url, serverSelectionTimeoutMS=1000)
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()
