"""``dnc history``: everything recorded about one number."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from dnc.cli.common import console, print_json, service_for, user_errors

HELP = """Show every change recorded for NUMBER, oldest first.

Example: dnc history "+1 201 555 0123" --json
"""


def register(app: typer.Typer) -> None:
    app.command("history", help=HELP)(history)


@user_errors
def history(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The number, in any common format.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    with service_for(ctx) as service:
        e164 = service.parse(number).e164
        records = service.history(number)
    if as_json:
        print_json(
            [
                {
                    "at": r.at.isoformat(),
                    "actor": r.actor,
                    "action": r.action,
                    "number": r.number,
                    "subject": r.subject,
                    "before": r.before,
                    "after": r.after,
                    "reason": r.reason,
                }
                for r in records
            ]
        )
        return
    table = Table(title=f"history of {e164}: {len(records)} records")
    for column in ("at", "action", "list", "actor", "reason", "result"):
        table.add_column(column, overflow="fold")
    for r in records:
        # Call outcomes say in "summary" what state they led to.
        result = str(r.after.get("summary", "")) if r.after else ""
        table.add_row(
            r.at.isoformat(timespec="seconds"),
            r.action,
            r.subject or "",
            r.actor,
            r.reason or "",
            result,
        )
    console.print(table)
