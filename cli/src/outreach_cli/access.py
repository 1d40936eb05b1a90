"""`outreach workspaces|keys|people|login`: workspaces, API keys and people through the gateway."""

from __future__ import annotations

import json
import os

import httpx
import typer

from outreach_cli.client import KEY, URL, Api, base_url, ok, save

workspaces = typer.Typer(help="Workspaces (first run).", no_args_is_help=True)
keys = typer.Typer(help="API keys of the workspace (admin).", no_args_is_help=True)
people = typer.Typer(help="People of the workspace (admin).", no_args_is_help=True)


def _bootstrap_token(given: str | None) -> str:
    if given:
        return given
    if os.environ.get("OUTREACH_BOOTSTRAP_TOKEN"):
        return os.environ["OUTREACH_BOOTSTRAP_TOKEN"]
    from outreach_devstack.stack import from_env  # the local stack's own token

    return from_env().bootstrap_token


def _create(url: str | None, key: str | None, path: str, body: dict[str, object]) -> None:
    """POST `body` to `path` and print what was created as JSON (a secret in it is shown this once)."""
    with Api(url, key) as api:
        typer.echo(json.dumps(api.call("POST", path, json=body), default=str))


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
def list_keys(url: str = URL, key: str = KEY) -> None:
    """The workspace's keys (never their secrets)."""
    with Api(url, key) as api:
        for item in api.call("GET", "/keys"):
            revoked = f" revoked {item['revoked_at']}" if item["revoked_at"] else ""
            typer.echo(f"{item['id']}  {item['prefix']}  {item['name']}  {','.join(item['scopes'])}{revoked}")


@keys.command("revoke")
def revoke_key(key_id: str = typer.Argument(..., help="Key id"), url: str = URL, key: str = KEY) -> None:
    """Revoke a key."""
    with Api(url, key) as api:
        api.call("DELETE", "/keys/{key_id}", {"key_id": key_id})
    typer.echo(f"revoked {key_id}")


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
def list_people(url: str = URL, key: str = KEY) -> None:
    """The workspace's people."""
    with Api(url, key) as api:
        for item in api.call("GET", "/people"):
            typer.echo(f"{item['id']}  {item['email']}  {item['role']}{'  (invited)' if item['invited'] else ''}")


@people.command("remove")
def remove(person_id: str = typer.Argument(...), url: str = URL, key: str = KEY) -> None:
    """Remove a person (signed out everywhere)."""
    with Api(url, key) as api:
        api.call("DELETE", "/people/{person_id}", {"person_id": person_id})
    typer.echo(f"removed {person_id}")


def login(
    url: str = typer.Option(..., "--url", help="Gateway base URL"),
    key: str = typer.Option(..., "--key", help="API key"),
) -> None:
    """Check the key against the gateway and keep URL and key for later commands (file mode 0600)."""
    with Api(url, key) as api:
        who = api.call("GET", "/workspace")
    path = save(url, key)
    typer.echo(f"signed in to {who['name']} ({who['workspace_id']}); saved in {path}")
