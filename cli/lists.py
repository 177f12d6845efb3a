"""``dnc list``: the internal list and campaign lists."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

import dnc
from dnc.cli.common import (
    console,
    parse_expiry,
    print_json,
    service_for,
    state,
    user_errors,
)

app = typer.Typer(
    help="Manage do-not-call lists: internal (company-wide) and campaign:NAME.",
    no_args_is_help=True,
)

ListOption = Annotated[
    str, typer.Option("--list", help="internal (company-wide) or campaign:NAME.")
]


def entry_dict(entry: dnc.ListEntry) -> dict[str, object]:
    return {
        "id": entry.id,
        "number": entry.number,
        "list": entry.list_name,
        "source": entry.source.value,
        "channel": entry.channel.value if entry.channel else None,
        "created_at": entry.created_at.isoformat(),
        "expires_at": entry.expires_at.isoformat() if entry.expires_at else None,
        "actor": entry.actor,
        "note": entry.note,
        "removed_at": entry.removed_at.isoformat() if entry.removed_at else None,
        "removed_by": entry.removed_by,
        "removed_reason": entry.removed_reason,
    }


@app.command(
    "add",
    help="Put NUMBER on a list.\n\n"
    'Example: dnc list add 2015550123 --reason "complaint 4411" --days 1825',
)
@user_errors
def add(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The number, in any common format.")],
    list_name: ListOption = "internal",
    reason: Annotated[str | None, typer.Option(help="Why it is added (kept in the audit).")] = None,
    expires: Annotated[
        str | None, typer.Option(help="Stop blocking after this date (YYYY-MM-DD) or time.")
    ] = None,
    days: Annotated[int | None, typer.Option(help="Stop blocking after N days.")] = None,
) -> None:
    now = datetime.now(UTC)
    with service_for(ctx) as service:
        entry = service.add_to_list(
            number,
            list_name,
            reason=reason,
            expires_at=parse_expiry(expires, days, now),
            actor=state(ctx).actor,
        )
    console.print(f"{entry.number} added to {entry.list_name} (entry {entry.id})", highlight=False)


@app.command(
    "remove",
    help="Take NUMBER off a list; a reason is required and kept.\n\n"
    'Example: dnc list remove 2015550123 --reason "added in error, ticket 118"',
)
@user_errors
def remove(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The number, in any common format.")],
    reason: Annotated[str, typer.Option(help="Why it is removed (required).")],
    list_name: ListOption = "internal",
) -> None:
    with service_for(ctx) as service:
        removed = service.remove_from_list(number, reason, list_name, actor=state(ctx).actor)
    for entry in removed:
        console.print(
            f"{entry.number} removed from {entry.list_name} (entry {entry.id})", highlight=False
        )


@app.command(
    "show",
    help="Show the entries of a list, or of every list.\n\n"
    "Example: dnc list show --list campaign:spring --json",
)
@user_errors
def show(
    ctx: typer.Context,
    list_name: Annotated[
        str | None, typer.Option("--list", help="internal or campaign:NAME; default all lists.")
    ] = None,
    number: Annotated[str | None, typer.Option(help="Only this number.")] = None,
    include_removed: Annotated[
        bool, typer.Option("--all", help="Include removed entries.")
    ] = False,
    limit: Annotated[int | None, typer.Option(help="At most this many entries.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    with service_for(ctx) as service:
        entries = service.list_entries(list_name, number, include_removed, limit)
    if as_json:
        print_json([entry_dict(e) for e in entries])
        return
    table = Table(title=f"{len(entries)} entries")
    for column in ("number", "list", "source", "since", "expires", "actor", "note", "removed"):
        table.add_column(column, overflow="fold")
    for e in entries:
        table.add_row(
            e.number,
            e.list_name,
            e.source.value + (f" ({e.channel.value})" if e.channel else ""),
            e.created_at.isoformat(timespec="seconds"),
            e.expires_at.isoformat(timespec="seconds") if e.expires_at else "",
            e.actor,
            e.note or "",
            f"{e.removed_at:%Y-%m-%d} by {e.removed_by}: {e.removed_reason}"
            if e.removed_at
            else "",
        )
    console.print(table)
