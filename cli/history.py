"""``dnc history``: a number's whole story, in order."""

from __future__ import annotations

from datetime import UTC
from typing import Annotated

import typer
from rich.table import Table

from dnc.cli.common import console, print_json, service_for, user_errors

HELP = """Tell NUMBER's story, oldest first: list entries and removals, prefix blocks,
registry listings (with their snapshot date), call outcomes and the state each
led to, consents, preferences, queue suppressions and scrub deferrals, each
with who did it and why.

Example: dnc history "+1 201 555 0123" --json
"""


def register(app: typer.Typer) -> None:
    app.command("history", help=HELP)(history)


@user_errors
def history(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The number, in any common format.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array of events.")] = False,
) -> None:
    with service_for(ctx) as service:
        e164 = service.parse(number).e164
        events = service.timeline(number)
    if as_json:
        print_json([e.to_dict() for e in events])
        return
    table = Table(title=f"history of {e164}: {len(events)} events (times in UTC)")
    table.add_column("at", no_wrap=True)
    table.add_column("event", no_wrap=True)
    table.add_column("summary", overflow="fold", ratio=4)
    table.add_column("actor", overflow="fold", ratio=1)
    table.add_column("reason", ratio=2)
    for e in events:
        table.add_row(
            e.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M"),
            e.kind,
            e.summary,
            e.actor,
            e.reason or "",
        )
    console.print(table, highlight=False)
