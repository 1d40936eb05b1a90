"""`outreach`: the operator's command line over the public API, the local stack, the demo and the check
commands."""

from __future__ import annotations

import typer

from outreach_cli import (
    access,
    campaigns,
    contact_imports,  # noqa: F401 - registers `contacts import|rejected|list`
    contacts,
    deadletters,
    demo,
    docs,
    forecast,  # noqa: F401 - registers `campaign forecast`
    history,
    local,
    messages,
    registry,
    schedule,
)

app = typer.Typer(help="Outreach operator command.", no_args_is_help=True)
app.add_typer(local.infra, name="infra")
app.add_typer(local.stack, name="stack")
app.add_typer(schedule.app, name="schedule")
app.add_typer(contacts.app, name="contacts")
app.add_typer(messages.app, name="messages")
app.add_typer(access.workspaces, name="workspaces")
app.add_typer(access.keys, name="keys")
app.add_typer(access.people, name="people")
app.add_typer(deadletters.app, name="deadletters")
app.add_typer(campaigns.app, name="campaign")
app.add_typer(registry.dnc, name="dnc")
app.add_typer(registry.numbers, name="numbers")
app.add_typer(registry.agents, name="agents")
app.add_typer(history.calls, name="calls")
app.command(name="login")(access.login)
app.command(name="demo")(demo.run)
app.command(name="docs")(docs.run)

if __name__ == "__main__":
    app()
