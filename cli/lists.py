"""``dnc list``: the internal list and campaign lists."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

import dnc
from dnc.cli.common import (
    Encoding,
    console,
    err_console,
    output_file,
    parse_expiry,
    print_json,
    service_for,
    state,
    user_errors,
)
from dnc.cli.progress import file_bar
from dnc.cli.render import key, moment, print_table, stamp, text

app = typer.Typer(
    help="Manage do-not-call lists: internal (company-wide) and campaign:NAME.",
    no_args_is_help=True,
)

ListOption = Annotated[
    str,
    typer.Option(
        "--list", help="internal (company-wide), campaign:NAME or client:NAME (not --prefix)."
    ),
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
    help="Put NUMBER (or with --prefix, every number under a prefix) on a list.\n\n"
    'Example: dnc list add 2015550123 --reason "complaint 4411" --days 1825\n\n'
    'Example: dnc list add +1201555 --prefix --reason "exchange of a partner"',
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
    prefix: Annotated[
        bool,
        typer.Option(
            "--prefix", help="NUMBER is an E.164 prefix (+1201, +1201555): block all under it."
        ),
    ] = False,
) -> None:
    if prefix:
        with service_for(ctx) as service:
            block = service.block_prefix(
                number,
                list_name,
                reason=reason,
                expires_at=parse_expiry(expires, days, service.now()),
                actor=state(ctx).actor,
            )
        console.print(
            f"prefix {block.prefix} blocked on {block.list_name} (block {block.id})",
            highlight=False,
        )
        return
    with service_for(ctx) as service:
        entry = service.add_to_list(
            number,
            list_name,
            reason=reason,
            expires_at=parse_expiry(expires, days, service.now()),
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
    prefix: Annotated[
        bool, typer.Option("--prefix", help="NUMBER is a blocked prefix: lift the block.")
    ] = False,
) -> None:
    if prefix:
        with service_for(ctx) as service:
            blocks = service.unblock_prefix(number, reason, list_name, actor=state(ctx).actor)
        for block in blocks:
            console.print(
                f"prefix {block.prefix} unblocked on {block.list_name} (block {block.id})",
                highlight=False,
            )
        return
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
        str | None,
        typer.Option("--list", help="internal, campaign:NAME or client:NAME; default all lists."),
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
    print_table(
        f"{len(entries):,} entries",
        [key("number"), key("list"), key("source"), moment("since"), moment("expires")]
        + [text("actor"), text("note", 2), text("removed", 2)],
        [
            (
                e.number,
                e.list_name,
                e.source.value + (f" ({e.channel.value})" if e.channel else ""),
                stamp(e.created_at),
                stamp(e.expires_at),
                e.actor,
                e.note,
                f"{stamp(e.removed_at)} by {e.removed_by}: {e.removed_reason}"
                if e.removed_at
                else "",
            )
            for e in entries
        ],
    )


@app.command(
    "prefixes",
    help="Show the blocked prefixes of a list, or of every list.\n\n"
    "Example: dnc list prefixes --json",
)
@user_errors
def prefixes(
    ctx: typer.Context,
    list_name: Annotated[
        str | None,
        typer.Option("--list", help="internal, campaign:NAME or client:NAME; default all lists."),
    ] = None,
    include_removed: Annotated[bool, typer.Option("--all", help="Include lifted blocks.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    with service_for(ctx) as service:
        blocks = service.prefix_blocks(list_name, include_removed)
    rows = [
        {
            "id": b.id,
            "prefix": b.prefix,
            "list": b.list_name,
            "created_at": b.created_at.isoformat(),
            "expires_at": b.expires_at.isoformat() if b.expires_at else None,
            "actor": b.actor,
            "note": b.note,
            "removed_at": b.removed_at.isoformat() if b.removed_at else None,
            "removed_reason": b.removed_reason,
        }
        for b in blocks
    ]
    if as_json:
        print_json(rows)
        return
    print_table(
        f"{len(blocks):,} prefix blocks",
        [key("prefix"), key("list"), moment("since"), moment("expires")]
        + [text("actor"), text("note", 2), text("removed", 2)],
        [
            (
                b.prefix,
                b.list_name,
                stamp(b.created_at),
                stamp(b.expires_at),
                b.actor,
                b.note,
                f"{stamp(b.removed_at)}: {b.removed_reason}" if b.removed_at else "",
            )
            for b in blocks
        ],
    )


@app.command(
    "import",
    help="Add the numbers of a CSV file (header with number or phone; optional added, "
    "expires, reason) to a list. A malformed line changes nothing, unless --skip-invalid.\n\n"
    "Example: dnc list import complaints.csv --list campaign:spring",
)
@user_errors
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The CSV file (.csv, .zip or .gz).")],
    list_name: ListOption = "internal",
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Skip malformed lines and report them.")
    ] = False,
    encoding: Encoding = None,
) -> None:
    with service_for(ctx) as service, file_bar(f"importing {file.name}") as progress:
        summary = service.import_list(
            file,
            list_name,
            skip_invalid,
            actor=state(ctx).actor,
            progress=progress,
            encoding=encoding,
        )
    console.print(summary.line(), highlight=False, soft_wrap=True)


@app.command(
    "export",
    help="Write the numbers a list blocks now as CSV (number, added, expires, reason), "
    "the layout list import reads.\n\n"
    "Example: dnc list export --list internal --out internal.csv",
)
@user_errors
def export(
    ctx: typer.Context,
    list_name: ListOption = "internal",
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
) -> None:
    with service_for(ctx) as service:
        if out is None:
            service.export_list(sys.stdout, list_name)
            return
        with output_file(out) as handle:
            count = service.export_list(handle, list_name)
    err_console.print(f"{count:,} rows written to {out}", highlight=False)
