"""``dnc audit``: prove the trail is whole, and hand it over."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

import typer

import dnc
from dnc.cli.common import console, err_console, parse_instant, print_json, service_for, user_errors

app = typer.Typer(help="Verify and export the tamper-evident audit trail.", no_args_is_help=True)


def _bound(value: str | None, option: str, end: bool) -> datetime | None:
    """A date (whole day, UTC) or an ISO 8601 time with offset."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return parse_instant(value, option)
    return datetime.combine(day + timedelta(days=1) if end else day, time(0), tzinfo=UTC)


@app.command(
    "verify",
    help="Recompute the hash chain of the audit log; exit 1 naming the first bad record.\n\n"
    "Keep the printed head hash: --expect-head later also catches records cut off the end.\n\n"
    "Example: dnc audit verify --json",
)
@user_errors
def verify(
    ctx: typer.Context,
    expect_head: Annotated[
        str | None,
        typer.Option(help="A head hash printed earlier that must still be in the chain."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    with service_for(ctx) as service:
        report = service.verify_audit()
        known = True
        if expect_head and report.first_bad is None:
            known = expect_head == report.head or any(
                r.hash == expect_head for r in service.audit_records()
            )
    ok = report.first_bad is None and known
    problem = report.problem
    if report.first_bad is None and not known:
        problem = "the expected head hash is not in the chain (records were removed or replaced)"
    if as_json:
        print_json(
            {
                "ok": ok,
                "records": report.records,
                "head": report.head,
                "first_bad_id": report.first_bad,
                "problem": problem,
            }
        )
    elif ok:
        console.print(
            f"audit log intact: {report.records:,} records, head {report.head}", highlight=False
        )
    elif report.first_bad is not None:
        err_console.print(f"audit log TAMPERED: record {report.first_bad} {problem}")
    else:
        err_console.print(f"audit log TAMPERED: {problem}")
    raise typer.Exit(0 if ok else 1)


@app.command(
    "export",
    help="Write audit records as CSV or JSON (one array) to stdout.\n\n"
    "Example: dnc audit export --since 2026-01-01 --number 2015550123 --format json",
)
@user_errors
def export(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option(help="From this date/time (inclusive).", metavar="DATE|TIME")
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(help="Through this date (or before this time).", metavar="DATE|TIME"),
    ] = None,
    number: Annotated[str | None, typer.Option(help="Only this number.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
) -> None:
    if fmt not in ("csv", "json"):
        raise dnc.InputError(f"--format {fmt!r}: use csv or json")
    with service_for(ctx) as service:
        records = service.audit_records(
            _bound(since, "--since", end=False), _bound(until, "--until", end=True), number
        )
    rows = [
        {
            "id": r.id,
            "at": r.at.isoformat(),
            "actor": r.actor,
            "action": r.action,
            "number": r.number,
            "subject": r.subject,
            "before": r.before,
            "after": r.after,
            "reason": r.reason,
            "prev_hash": r.prev_hash,
            "hash": r.hash,
        }
        for r in records
    ]
    if fmt == "json":
        print_json(rows)
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["id"])
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: (json.dumps(v, sort_keys=True) if isinstance(v, dict) else v)
                for k, v in row.items()
            }
        )
