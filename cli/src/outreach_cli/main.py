"""`outreach`: the operator's command line over the public API, the local stack, the demo and the check
commands. A command imports only the modules it needs (the stack's database client, the API documents'
generator and the contacts pipeline each take a second or more to import)."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import typer

GROUPS: dict[str, tuple[str, str]] = {  # command -> (module, its Typer)
    "infra": ("local", "infra"),
    "stack": ("local", "stack"),
    "schedule": ("schedule", "app"),
    "contacts": ("contacts", "app"),
    "messages": ("messages", "app"),
    "workspaces": ("access", "workspaces"),
    "keys": ("access", "keys"),
    "people": ("access", "people"),
    "deadletters": ("deadletters", "app"),
    "campaign": ("campaigns", "app"),
    "dnc": ("registry", "dnc"),
    "numbers": ("registry", "numbers"),
    "agents": ("registry", "agents"),
    "calls": ("history", "calls"),
    "crm": ("crm", "app"),
}
COMMANDS: dict[str, tuple[str, str]] = {"login": ("access", "login"), "demo": ("demo", "run"), "docs": ("docs", "run")}
ALSO = {"contacts": "contact_imports", "campaign": "forecast"}  # modules that add commands to a group


def build(only: str | None = None) -> typer.Typer:
    """The command line with every command, or with the one named `only`."""
    cli = typer.Typer(no_args_is_help=True)
    cli.callback()(_root)  # a group even when it holds one command
    for name, (module, attribute) in GROUPS.items():
        if only in (None, name):
            group = getattr(importlib.import_module(f"outreach_cli.{module}"), attribute)
            if name in ALSO:
                importlib.import_module(f"outreach_cli.{ALSO[name]}")
            cli.add_typer(group, name=name)
    for name, (module, attribute) in COMMANDS.items():
        if only in (None, name):
            cli.command(name=name)(getattr(importlib.import_module(f"outreach_cli.{module}"), attribute))
    return cli


def _root() -> None:
    """Outreach operator command."""


def main() -> None:
    """The `outreach` command."""
    named = sys.argv[1] if len(sys.argv) > 1 else None
    build(named if named in GROUPS or named in COMMANDS else None)()


def __getattr__(name: str) -> Any:
    if name == "app":  # the whole command line (for tests and tools)
        return build()
    raise AttributeError(name)


if __name__ == "__main__":
    main()
