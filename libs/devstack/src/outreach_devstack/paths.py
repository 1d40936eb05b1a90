"""Where the local stack keeps its cache, data, pid files and logs."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """The repository root (the folder holding `deploy/local`)."""
    env = os.environ.get("OUTREACH_REPO_ROOT")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "deploy" / "local").is_dir():
            return parent
    return Path.cwd()


def state_dir() -> Path:
    """Folder with everything the local stack writes; `OUTREACH_STATE_DIR` overrides `.local/`."""
    env = os.environ.get("OUTREACH_STATE_DIR")
    path = Path(env) if env else repo_root() / ".local"
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """Downloaded and built artefacts (Kafka jars, the FerretDB binary), kept across runs."""
    env = os.environ.get("OUTREACH_CACHE_DIR")
    path = Path(env) if env else repo_root() / ".cache"
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    """The one folder that holds every process log of the local stack."""
    path = state_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
