"""`outreach messages classify-reply`: the inbound-SMS classifier the webhook uses, one verdict a line."""

from __future__ import annotations

import sys

import typer
from outreach_messenger.domain.replies import classify

from outreach_cli.history import list_messages

app = typer.Typer(help="Messages: history, and the reply classifier.", no_args_is_help=True)
app.command("list")(list_messages)


@app.command("classify-reply")
def classify_reply() -> None:
    """Read one inbound text a line on stdin; print one verdict a line: opt_out, opt_in, help or other."""
    stdin = sys.stdin
    if hasattr(stdin, "reconfigure"):
        stdin.reconfigure(encoding="utf-8", errors="replace")
    for line in stdin:
        sys.stdout.write(classify(line.rstrip("\r\n")) + "\n")
        sys.stdout.flush()
