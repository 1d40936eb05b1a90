"""The public API as the command line reaches it: base URL and key from options, the environment
(`OUTREACH_URL`, `OUTREACH_API_KEY`) or the file `outreach login` wrote (0600, in the user's config folder)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import typer

DEFAULT_URL = "http://127.0.0.1:8000"


def config_file() -> Path:
    """`$XDG_CONFIG_HOME/outreach/credentials.json` (default `~/.config`)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "outreach" / "credentials.json"


def saved() -> dict[str, str]:
    """What `outreach login` saved, or nothing."""
    try:
        data: dict[str, str] = json.loads(config_file().read_text())
        return data
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def save(url: str, key: str) -> Path:
    """Keep the URL and key for later commands, readable by the user only."""
    path = config_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(json.dumps({"url": url, "api_key": key}))
    return path


def base_url(url: str | None) -> str:
    """The gateway's base URL (without `/api/v1`)."""
    return (url or os.environ.get("OUTREACH_URL") or saved().get("url") or DEFAULT_URL).rstrip("/")


def api_key(key: str | None) -> str:
    """The API key, or exit 2 with a message when none is configured."""
    found = key or os.environ.get("OUTREACH_API_KEY") or saved().get("api_key")
    if not found:
        typer.echo("no API key: pass --key, set OUTREACH_API_KEY or run `outreach login`", err=True)
        raise typer.Exit(2)
    return found


def session(url: str | None, key: str | None) -> httpx.Client:
    """An HTTP client for `/api/v1` with the key."""
    return httpx.Client(
        base_url=base_url(url) + "/api/v1", headers={"Authorization": f"Bearer {api_key(key)}"}, timeout=60.0
    )


def ok(response: httpx.Response) -> Any:
    """The JSON of a successful answer; else the API's message on stderr and exit 1."""
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail", response.text)
        except (json.JSONDecodeError, AttributeError):
            detail = response.text
        typer.echo(f"{response.request.method} {response.request.url.path}: {response.status_code} {detail}", err=True)
        raise typer.Exit(1)
    return None if response.status_code == 204 or not response.content else response.json()


URL = typer.Option(None, "--url", help="Gateway base URL (or OUTREACH_URL)")
KEY = typer.Option(None, "--key", help="API key (or OUTREACH_API_KEY)")
