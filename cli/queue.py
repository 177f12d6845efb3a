"""``dnc queue``: load, show and export dialer queues."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dnc.cli.common import (
    Encoding,
    console,
    output_file,
    parse_instant,
    print_json,
    service_for,
    user_errors,
)
from dnc.cli.progress import file_bar, working
from dnc.cli.render import count, human_time, key, moment, print_table, text

app = typer.Typer(
    help="Dialer queues: load leads, see what is dialable, export it.", no_args_is_help=True
)

Campaign = Annotated[str, typer.Option(help="The campaign whose queue it is.")]


@app.command(
    "load",
    help="Load a CSV of leads (a 'number' column; optional lead_id, "
    "location, priority) into a campaign's queue. All or nothing.\n\n"
    "Example: dnc queue load leads.csv --campaign spring",
)
@user_errors
def load(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV file (.gz and .zip read directly).")],
    campaign: Campaign,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    encoding: Encoding = None,
) -> None:
    with service_for(ctx) as service, file_bar(f"loading {file.name}") as progress:
        summary = service.load_queue(file, campaign, encoding=encoding, progress=progress)
    if as_json:
        print_json(
            {"read": summary.read, "added": summary.added, "already_queued": summary.already_queued}
        )
    else:
        console.print(
            f"{file}: {summary.read:,} read, {summary.added:,} added, "
            f"{summary.already_queued:,} already queued",
            highlight=False,
        )


@app.command(
    "show",
    help="Show a campaign's queue entries and why any are not dialable.\n\n"
    "Example: dnc queue show --campaign spring --status suppressed --json",
)
@user_errors
def show(
    ctx: typer.Context,
    campaign: Campaign,
    status: Annotated[
        str | None,
        typer.Option(
            help="unchecked (never decided), ready, deferred, held, claimed, suppressed or done."
        ),
    ] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many entries.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    with service_for(ctx) as service:
        entries = service.queue(campaign, status, limit=limit)
        now = service.now()
    if as_json:
        print_json([e.to_dict() for e in entries])
        return
    print_table(
        f"queue {campaign}: {len(entries):,} entries",
        [key("number"), key("status"), moment("not before"), count("priority"), key("lead")]
        + [text("reasons", 3)],
        [
            (
                e.number,
                e.status.value,
                human_time(e.not_before, e.number, now),
                f"{e.priority:,}",
                e.lead_id,
                "; ".join(f"{r.code.value}: {r.detail}" for r in e.reasons),
            )
            for e in entries
        ],
    )


@app.command(
    "export",
    help="Write the entries a dialer may call as CSV (number, lead_id, location, "
    "priority), each decided at the moment of the export (or --at) with the "
    "scrub's rules, whether or not the queue was scrubbed; the queue is not "
    "changed. --all writes every entry with its status, not_before and reason "
    "codes.\n\n"
    "Example: dnc queue export --campaign spring --out spring.csv",
)
@user_errors
def export(
    ctx: typer.Context,
    campaign: Campaign,
    out: Annotated[Path | None, typer.Option(help="Write here instead of stdout.")] = None,
    at: Annotated[
        str | None, typer.Option(help="Decide as of this time (ISO 8601); default now.")
    ] = None,
    everything: Annotated[
        bool,
        typer.Option("--all", help="Every entry, with status, not_before and reason codes (';')."),
    ] = False,
) -> None:
    when = parse_instant(at)
    with service_for(ctx) as service:
        if out is None:
            with working(f"exporting queue {campaign}"):
                service.export_queue(sys.stdout, campaign, at=when, everything=everything)
            return
        # Whole or not at all: a dialer must never load half an export.
        with output_file(out) as stream, working(f"exporting queue {campaign}"):
            summary = service.export_queue(stream, campaign, at=when, everything=everything)
    if everything:
        console.print(
            f"{summary.written:,} entries written to {out} ({summary.dialable:,} dialable)",
            highlight=False,
        )
    else:
        console.print(f"{summary.written:,} dialable entries written to {out}", highlight=False)
