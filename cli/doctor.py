"""``dnc doctor``: is the store sound? Its integrity, checked and recorded."""

from __future__ import annotations

from typing import Annotated

import typer

from dnc.cli.common import console, err_console, print_json, service_for, user_errors

HELP = """Check the database's integrity (SQLite integrity_check; PostgreSQL amcheck
bt_index_check on every index, where the extension is installed) and record
the result: while it fails, every check answers CHECK_FAILED naming it, until
a later check passes. The storage-integrity job runs it nightly.

Exit 0: healthy; 1: problems found; 3: the database cannot be reached.

Example: dnc doctor --json
"""


def register(app: typer.Typer) -> None:
    app.command("doctor", help=HELP)(doctor)


@user_errors
def doctor(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    with service_for(ctx) as service:
        report = service.doctor()
    found = report.integrity
    if as_json:
        print_json(
            {
                "ok": report.ok,
                "database": report.database,
                "revision": report.revision,
                "checked_at": report.checked_at.isoformat(),
                "integrity": {
                    "ok": found.ok,
                    "method": found.method,
                    "problems": found.problems,
                    "unchecked": found.unchecked,
                },
            }
        )
    else:
        console.print(
            f"database {report.database} (schema {report.revision}): reachable",
            highlight=False,
            soft_wrap=True,
        )
        if found.ok:
            console.print(f"integrity: ok ({found.method})", highlight=False, soft_wrap=True)
        else:
            err_console.print(
                f"integrity: FAILED ({found.method}); checks answer CHECK_FAILED until it passes",
                highlight=False,
                soft_wrap=True,
            )
            for problem in found.problems:
                err_console.print(f"  {problem}", highlight=False, soft_wrap=True)
        if found.unchecked:
            console.print(f"note: {found.unchecked}", highlight=False, soft_wrap=True)
    raise typer.Exit(0 if report.ok else 1)
