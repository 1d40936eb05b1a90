"""The public API as the command line reaches it: base URL and key from options, the environment
(`OUTREACH_URL`, `OUTREACH_API_KEY`) or the file `outreach login` wrote (0600, in the user's config folder).

Exit codes: 0 done, 1 refused by the API (its field paths and messages shown), 2 usage error, 3 cannot reach
the server or not signed in. Every route the command line calls is listed in `ROUTES`, which a test checks
against the gateway's OpenAPI document, so the two cannot drift apart."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import typer

DEFAULT_URL = "http://127.0.0.1:8000"
REFUSED, USAGE, UNREACHABLE = 1, 2, 3

ROUTES = frozenset(
    {
        ("GET", "/workspace"),
        ("POST", "/keys"),
        ("GET", "/keys"),
        ("DELETE", "/keys/{key_id}"),
        ("POST", "/people"),
        ("GET", "/people"),
        ("DELETE", "/people/{person_id}"),
        ("POST", "/campaigns"),
        ("GET", "/campaigns"),
        ("GET", "/campaigns/{campaign_id}"),
        ("PATCH", "/campaigns/{campaign_id}"),
        ("POST", "/campaigns/{campaign_id}/start"),
        ("POST", "/campaigns/{campaign_id}/pause"),
        ("POST", "/campaigns/{campaign_id}/resume"),
        ("POST", "/campaigns/{campaign_id}/stop"),
        ("GET", "/campaigns/{campaign_id}/preview"),
        ("GET", "/campaigns/{campaign_id}/overview"),
        ("GET", "/campaigns/{campaign_id}/contacts"),
        ("POST", "/imports"),
        ("GET", "/imports/{import_id}"),
        ("GET", "/imports/{import_id}/rejected.csv"),
        ("POST", "/dnc"),
        ("GET", "/dnc"),
        ("POST", "/dnc/imports"),
        ("DELETE", "/dnc/{phone}"),
        ("POST", "/numbers"),
        ("GET", "/numbers"),
        ("GET", "/numbers/{number}"),
        ("POST", "/numbers/import"),
        ("PUT", "/agents/{agent_id}"),
        ("GET", "/agents"),
        ("GET", "/calls"),
        ("GET", "/messages"),
        ("POST", "/crm/connections"),
        ("GET", "/crm/oauth/{kind}/start"),
        ("GET", "/crm/connections"),
        ("POST", "/crm/connections/{connection_id}/check"),
        ("DELETE", "/crm/connections/{connection_id}"),
        ("POST", "/crm/feeds"),
        ("GET", "/crm/feeds"),
        ("POST", "/crm/feeds/{feed_id}/sync"),
        ("GET", "/crm/syncs/{sync_id}"),
        ("GET", "/crm/syncs/{sync_id}/records"),
    }
)


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


def fail(message: str, code: int) -> typer.Exit:
    """Say `message` on stderr; the exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def readable(path: Path) -> Path:
    """`path`, or a usage error naming it when it is not a file."""
    if not path.is_file():
        raise fail(f"{path}: no such file", USAGE)
    return path


def api_key(key: str | None) -> str:
    """The API key, or exit 3 when none is configured."""
    found = key or os.environ.get("OUTREACH_API_KEY") or saved().get("api_key")
    if not found:
        raise fail("not signed in: pass --key, set OUTREACH_API_KEY or run `outreach login`", UNREACHABLE)
    return found


def problems(response: httpx.Response) -> list[str]:
    """The API's complaints, one a line: `field.path: message` for validation errors."""
    try:
        detail = response.json().get("detail", response.text)
    except (json.JSONDecodeError, AttributeError):
        return [response.text or response.reason_phrase]
    if isinstance(detail, list):
        lines = []
        for item in detail:
            loc = ".".join(str(p) for p in item.get("loc", []) if p not in ("body", "query", "path"))
            lines.append(f"{loc}: {item.get('msg', item)}" if loc else str(item.get("msg", item)))
        return lines
    return [str(detail)]


def ok(response: httpx.Response) -> Any:
    """The JSON (or text) of a successful answer; else the API's complaints on stderr and exit 1 (3 when the
    key is refused)."""
    if response.status_code >= 400:
        what = f"{response.request.method} {response.request.url.path}: {response.status_code}"
        lines = problems(response)
        typer.echo(f"error: {what}" + "".join(f"\n  {line}" for line in lines), err=True)
        raise typer.Exit(UNREACHABLE if response.status_code == 401 else REFUSED)
    if response.status_code == 204 or not response.content:
        return None
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.json()
    return response.text


class Api:
    """An HTTP client of `/api/v1` with the key; `call` takes a route of `ROUTES` and its path values."""

    def __init__(self, url: str | None, key: str | None) -> None:
        self.base = base_url(url)
        self.http = httpx.Client(
            base_url=self.base + "/api/v1", headers={"Authorization": f"Bearer {api_key(key)}"}, timeout=120.0
        )

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def raw(self, method: str, route: str, path: dict[str, str] | None = None, **kwargs: Any) -> httpx.Response:
        """The answer to one request, unchecked; exit 3 when the server cannot be reached."""
        if (method, route) not in ROUTES:
            raise AssertionError(f"{method} {route} is not a route the command line declares")
        target = route.format(**{k: quote(v, safe="") for k, v in (path or {}).items()})
        try:
            return self.http.request(method, target, **kwargs)
        except httpx.TransportError as exc:
            raise fail(f"cannot reach {self.base}: {exc}", UNREACHABLE) from None

    def call(self, method: str, route: str, path: dict[str, str] | None = None, **kwargs: Any) -> Any:
        """One request; its JSON on success, else exit with the API's complaints."""
        return ok(self.raw(method, route, path, **kwargs))


def call(
    url: str | None, key: str | None, method: str, route: str, path: dict[str, str] | None = None, **kwargs: Any
) -> Any:
    """One request on a connection of its own (`Api.call`), for a command that makes only one."""
    with Api(url, key) as api:
        return api.call(method, route, path, **kwargs)


URL = typer.Option(None, "--url", help="Gateway base URL (or OUTREACH_URL)")
KEY = typer.Option(None, "--key", help="API key (or OUTREACH_API_KEY)")
JSON = typer.Option(False, "--json", help="Print the API's own JSON")
