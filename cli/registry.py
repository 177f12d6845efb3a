"""``dnc registry``: import national and other do-not-call registries, show their freshness."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

import dnc
from dnc.cli.common import (
    Encoding,
    console,
    parse_instant,
    print_json,
    service_for,
    state,
    user_errors,
)
from dnc.cli.progress import file_bar
from dnc.cli.render import count, key, moment, print_table, stamp

app = typer.Typer(
    help="National and other do-not-call registries: import full and change lists, status.",
    no_args_is_help=True,
)


def _as_of(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise dnc.InputError(f"--as-of {value!r} is not a date (YYYY-MM-DD)") from None
    return dnc.valid_day(day, "--as-of")


@app.command(
    "import",
    help="Import a registry file (.txt, .csv, .zip or .gz).\n\n"
    "A full list replaces the registry's snapshot atomically; --changes applies a change "
    "list's additions and deletions to it. A malformed line, or a number outside the "
    "registry's numbering plan, stops the import and changes nothing, unless --skip-invalid. "
    "An empty full list is refused, and so is one that shrinks the registry by more than its "
    "max_shrink (default 5 %) unless --allow-shrink.\n\n"
    "Reassigned-numbers data (a CSV number,disconnected_on) goes into us-reassigned with "
    "--format reassigned: a full list replaces the disconnects, --changes adds to them.\n\n"
    "Line types of US numbers (a CSV number[,line_type]: wireless, wireline, "
    "ported-to-wireless, ported-to-wireline) go into us-wireless with --format wireless; "
    "--changes adds numbers or changes their line.\n\n"
    "Example: dnc registry import ftc-201.zip --registry us-national --as-of 2026-11-20",
)
@user_errors
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The registry file.")],
    registry: Annotated[str, typer.Option(help="Registry name, e.g. us-national.")],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="ftc, dncl, tps, csv, reassigned or wireless (default: the registry's own).",
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Date of the list, YYYY-MM-DD (default: the file's date)."),
    ] = None,
    changes: Annotated[
        bool, typer.Option("--changes", help="The file is a change list (add/delete markers).")
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Skip malformed lines and numbers outside the registry's plan; report them.",
        ),
    ] = False,
    allow_shrink: Annotated[
        bool,
        typer.Option(
            "--allow-shrink",
            help="Accept a full list much smaller than the current snapshot (never an empty one).",
        ),
    ] = False,
    encoding: Encoding = None,
) -> None:
    when = _as_of(as_of)
    with (
        service_for(ctx) as service,
        file_bar(f"importing {file.name}") as progress,
    ):
        summary = service.import_registry(
            file,
            registry,
            format=fmt,
            as_of=when,
            changes=changes,
            skip_invalid=skip_invalid,
            actor=state(ctx).actor,
            progress=progress,
            allow_shrink=allow_shrink,
            encoding=encoding,
        )
    console.print(summary.line(), highlight=False, soft_wrap=True)


@app.command(
    "status",
    help="Each registry's as-of date, size, age and days left before it is stale, "
    "and which database says so.\n\n"
    "Example: dnc registry status --json",
)
@user_errors
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
    at: Annotated[
        str | None,
        typer.Option(help="Ages as of this ISO 8601 time (default now)."),
    ] = None,
) -> None:
    when = parse_instant(at)
    with service_for(ctx) as service:
        found = service.registry_status(when)
        database = service.database
    rows = [s.to_dict() for s in found]
    if as_json:
        print_json(rows)
        return
    console.print(f"database: {database}", highlight=False, soft_wrap=True)
    print_table(
        f"{len(rows):,} registries",
        [key("registry"), key("required"), key("state"), key("as of"), count("size")]
        + [count("age"), count("days left"), moment("imported")],
        [
            (
                s.definition.name,
                "yes" if s.definition.required else "no",
                s.freshness.state,
                s.freshness.as_of.isoformat() if s.freshness.as_of else "",
                f"{s.size:,}" if s.size is not None else "",
                "" if s.freshness.age_days is None else f"{s.freshness.age_days:,} d",
                "" if s.freshness.days_left is None else f"{s.freshness.days_left:,}",
                stamp(s.imported_at),
            )
            for s in found
        ],
    )
