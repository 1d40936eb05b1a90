"""`outreach infra` and `outreach stack`: start and stop the local stack (no Docker needed)."""

from __future__ import annotations

import json
import os

import typer
from outreach_devstack import ferretdb, kafka
from outreach_devstack.paths import log_dir
from outreach_devstack.stack import clock_file, from_env

infra = typer.Typer(help="Kafka and the MongoDB-wire server only.", no_args_is_help=True)
stack = typer.Typer(
    help="Infrastructure plus the five services, the Twilio simulator and an SMTP sink.", no_args_is_help=True
)


@infra.command("install")
def infra_install() -> None:
    """Fetch the Kafka jars from Maven Central and build FerretDB (once; cached in .cache/)."""
    typer.echo(f"kafka jars: {kafka.install()}")
    typer.echo(f"ferretdb:   {ferretdb.install()}")


@infra.command("up")
def infra_up() -> None:
    """Install (first time) and start Kafka and FerretDB; wait until both answer."""
    typer.echo(f"mongodb: {ferretdb.start()}")
    typer.echo(f"kafka:   {kafka.start()}")


@infra.command("down")
def infra_down() -> None:
    """Stop Kafka and FerretDB."""
    kafka.stop()
    ferretdb.stop()
    typer.echo("infrastructure stopped")


@stack.command("up")
def stack_up(
    virtual_clock: bool = typer.Option(
        False, "--virtual-clock", help="Processes share a clock the demo can move forward (days in minutes)"
    ),
) -> None:
    """Start the infrastructure and every service; logs go to one folder. With `KAFKA_BOOTSTRAP` and
    `MONGO_URL` set, the services use that broker and database (run by someone else) instead."""
    if os.environ.get("KAFKA_BOOTSTRAP") and os.environ.get("MONGO_URL"):
        typer.echo(f"kafka:   {os.environ['KAFKA_BOOTSTRAP']} (given)\nmongodb: {os.environ['MONGO_URL']} (given)")
    else:
        infra_up()
    if virtual_clock:
        clock_file().write_text("0")
    else:
        clock_file().unlink(missing_ok=True)
    services = from_env(virtual_clock=virtual_clock)
    try:
        services.start()
    except Exception:
        services.stop()
        raise
    for name in ("gateway", "ingest", "scheduler", "dialer", "messenger", "metrics", "twilio-sim"):
        typer.echo(f"{name:<10} {services.url(name)}")
    typer.echo(f"logs:      {log_dir()}")


@stack.command("down")
def stack_down() -> None:
    """Stop every service and the infrastructure."""
    from_env().stop()
    infra_down()


@stack.command("status")
def stack_status() -> None:
    """Health of each service."""
    typer.echo(json.dumps(from_env().health(), indent=2))
