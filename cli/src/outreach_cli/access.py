"""`outreach workspaces|keys|people|login`: workspaces, API keys and people through the gateway."""

from __future__ import annotations

import json
import os

import httpx
import typer

from outreach_cli.client import JSON, KEY, URL, base_url, call, ok, save
from outreach_cli.output import Column, field, show

workspaces = typer.Typer(help="Workspaces (first run).", no_args_is_help=True)
keys = typer.Typer(help="API keys of the workspace (admin).", no_args_is_help=True)
people = typer.Typer(help="People of the workspace (admin).", no_args_is_help=True)

KEY_COLUMNS: list[Column] = [("ID", field("id")), ("PREFIX", field("prefix")), ("NAME", field("name")),
                             ("SCOPES", field("scopes")), ("REVOKED", field("revoked_at", "-"))]  # fmt: skip
PEOPLE_COLUMNS: list[Column] = [("ID", field("id")), ("EMAIL", field("email")), ("ROLE", field("role")),
                                ("STATUS", lambda p: "invited" if p.get("invited") else "member")]  # fmt: skip


def _bootstrap_token(given: str | None) -> str:
    if given:
        return given
    if os.environ.get("OUTREACH_BOOTSTRAP_TOKEN"):
        return os.environ["OUTREACH_BOOTSTRAP_TOKEN"]
    from outreach_devstack.stack import from_env  # the local stack's own token

    return from_env().bootstrap_token


def _create(url: str | None, key: str | None, path: str, body: dict[str, object]) -> None:
    """POST `body` to `path` and print what was created as JSON (a secret in it is shown this once)."""
    typer.echo(json.dumps(call(url, key, "POST", path, json=body), default=str))


def _list(path: str, columns: list[Column], json_out: bool, url: str | None, key: str | None) -> None:
    found = call(url, key, "GET", path)
    show(found, found, columns, json_out=json_out)


def _delete(url: str | None, key: str | None, path: str, params: dict[str, str], said: str) -> None:
    call(url, key, "DELETE", path, params)
    typer.echo(said)


@workspaces.command("create")
def create_workspace(
    name: str = typer.Argument(..., help="Workspace name"),
    admin_email: str = typer.Option(..., "--admin-email", help="The first admin's email (signs in with it)"),
    admin_password: str = typer.Option(..., "--admin-password", help="The first admin's password (8+ characters)"),
    as_json: bool = typer.Option(False, "--json", help='Print {"workspace_id": ..., "api_key": ...}'),
    bootstrap_token: str = typer.Option(
        None, "--bootstrap-token", help="Gateway bootstrap token (or OUTREACH_BOOTSTRAP_TOKEN; the local stack's)"
    ),
    url: str = URL,
) -> None:
    """Create a workspace with its first admin; prints an admin API key (shown once)."""
    response = httpx.post(
        base_url(url) + "/api/v1/workspaces",
        json={"name": name, "admin_email": admin_email, "admin_password": admin_password},
        headers={"X-Bootstrap-Token": _bootstrap_token(bootstrap_token)},
        timeout=60.0,
    )
    created = ok(response)
    result = {"workspace_id": created["workspace_id"], "api_key": created["api_key"]}
    if as_json:
        typer.echo(json.dumps(result))
    else:
        typer.echo(f"workspace {result['workspace_id']}\nadmin key (shown once): {result['api_key']}")


@keys.command("create")
def create_key(
    name: str = typer.Argument(..., help="What the key is for"),
    scope: list[str] = typer.Option(["read"], "--scope", help="read, write or admin (repeat for several)"),
    url: str = URL,
    key: str = KEY,
) -> None:
    """Create a key; its secret is printed once."""
    _create(url, key, "/keys", {"name": name, "scopes": scope})


@keys.command("list")
def list_keys(json_out: bool = JSON, url: str = URL, key: str = KEY) -> None:
    """The workspace's keys (never their secrets)."""
    _list("/keys", KEY_COLUMNS, json_out, url, key)


@keys.command("revoke")
def revoke_key(key_id: str = typer.Argument(..., help="Key id"), url: str = URL, key: str = KEY) -> None:
    """Revoke a key (it stops working within the gateway's few seconds of credential cache)."""
    _delete(url, key, "/keys/{key_id}", {"key_id": key_id}, f"revoked {key_id}")


@people.command("invite")
def invite(
    email: str = typer.Argument(...),
    role: str = typer.Option("operator", "--role", help="admin, operator or viewer"),
    url: str = URL,
    key: str = KEY,
) -> None:
    """Invite a person; prints the invitation token they accept with a password of their own."""
    _create(url, key, "/people", {"email": email, "role": role})


@people.command("list")
def list_people(json_out: bool = JSON, url: str = URL, key: str = KEY) -> None:
    """The workspace's people; an invitation not yet accepted shows as `invited`."""
    _list("/people", PEOPLE_COLUMNS, json_out, url, key)


@people.command("remove")
def remove(person_id: str = typer.Argument(...), url: str = URL, key: str = KEY) -> None:
    """Remove a person (signed out everywhere)."""
    _delete(url, key, "/people/{person_id}", {"person_id": person_id}, f"removed {person_id}")


def login(
    url: str = typer.Option(..., "--url", help="Gateway base URL"),
    key: str = typer.Option(..., "--key", help="API key"),
) -> None:
    """Check the key against the gateway and keep URL and key for later commands (file mode 0600)."""
    who = call(url, key, "GET", "/workspace")
    path = save(url, key)
    typer.echo(f"signed in to {who['name']} ({who['workspace_id']}); saved in {path}")
