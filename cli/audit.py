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
    day = dnc.valid_day(day, option)
    return datetime.combine(day + timedelta(days=1) if end else day, time(0), tzinfo=UTC)


def _is_digest(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdefABCDEF" for c in value)


@app.command(
    "verify",
    help="Recompute the hash chain of the audit log, hold it to the latest anchor "
    "(records cut off the end or rewritten) and reconcile the lists and consents "
    "with the log; exit 1 naming what does not fit.\n\n"
    "Example: dnc audit verify --json",
)
@user_errors
def verify(
    ctx: typer.Context,
    expect_head: Annotated[
        str | None,
        typer.Option(help="A head hash printed earlier that must still be in the chain."),
    ] = None,
    no_anchor: Annotated[
        bool, typer.Option("--no-anchor", help="Do not hold the chain to the anchor file.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    if expect_head is not None and not _is_digest(expect_head):
        # A mistyped hash is a usage error, not evidence of tampering.
        raise dnc.InputError(
            f"--expect-head {expect_head[:80]!r} is not a SHA-256 hex digest (64 hex digits)"
        )
    with service_for(ctx) as service:
        report = service.verify_audit(use_anchor=not no_anchor)
        known = True
        if expect_head and report.first_bad is None:
            known = expect_head == report.head or any(
                r.hash == expect_head for r in service.audit_records()
            )
    ok = report.ok and known
    problems: list[str] = []
    if report.first_bad is not None:
        problems.append(f"record {report.first_bad} {report.problem}")
    if not known:
        problems.append(
            "the expected head hash is not in the chain (records were removed or replaced)"
        )
    if report.anchor is not None and report.anchor.problem:
        problems.append(report.anchor.problem)
    if report.reconcile_problem:
        problems.append(report.reconcile_problem)
    if report.disagreements:
        problems.append(
            f"{len(report.disagreements)} disagreements between the log and the state "
            f"(first: {report.disagreements[0]})"
        )
    anchor = report.anchor.anchor if report.anchor is not None else None
    if as_json:
        print_json(
            {
                "ok": ok,
                "records": report.records,
                "head": report.head,
                "first_bad_id": report.first_bad,
                "problem": "; ".join(problems) or None,
                "anchor": None
                if anchor is None
                else {
                    "at": anchor.at.isoformat(),
                    "records": anchor.records,
                    "head": anchor.head,
                    "file": report.anchor_source,
                },
                "lost": report.lost,
                "disagreements": [
                    {"kind": d.kind, "id": d.id, "number": d.number, "problem": d.problem}
                    for d in report.disagreements
                ],
            }
        )
    elif ok:
        against = (
            f"; matches the anchor of {anchor.at.isoformat(timespec='seconds')} "
            f"({anchor.records:,} records)"
            if anchor is not None
            else ("; no anchor to hold it to" if not no_anchor else "")
        )
        console.print(
            f"audit log intact: {report.records:,} records, head {report.head}{against}; "
            "lists and consents agree with the log",
            highlight=False,
            soft_wrap=True,
        )
    else:
        err_console.print(
            f"audit log TAMPERED: {'; '.join(problems)}", highlight=False, soft_wrap=True
        )
        for found in report.disagreements[1:20]:
            err_console.print(f"  {found}", highlight=False, soft_wrap=True)
    raise typer.Exit(0 if ok else 1)


@app.command(
    "anchor",
    help="Write the audit log's head hash and record count outside the database: the "
    "anchor file ([audit] anchor_file) and syslog ([audit] syslog). Every job run "
    "does this too.\n\n"
    "Example: dnc audit anchor --json",
)
@user_errors
def anchor(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    with service_for(ctx) as service:
        made, where = service.anchor_audit()
    if not where:
        raise dnc.AnchorError(
            "nowhere to anchor: set [audit] anchor_file (PostgreSQL has no default) "
            "or [audit] syslog = true"
        )
    if as_json:
        print_json(
            {"at": made.at.isoformat(), "records": made.records, "head": made.head, "to": where}
        )
    else:
        console.print(
            f"anchored {made.records} records, head {made.head}, to {', '.join(where)}",
            highlight=False,
            soft_wrap=True,
        )


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
