"""``dnc scrub``: take the uncallable out of the queues before the first call."""

from __future__ import annotations

from typing import Annotated

import typer

import dnc
from dnc.cli.common import (
    EXIT_REFUSED,
    console,
    fail,
    parse_instant,
    print_json,
    service_for,
    state,
    user_errors,
)
from dnc.cli.progress import working
from dnc.cli.render import count, key, print_table

HELP = """Scrub queued numbers: suppress those that must never be called,
defer those blocked for now to their next allowed time.

Exit 1 when another scrub is running, with one line naming it (who,
which host and process) and since when. Another scrub means any other,
even one started by the same user on the same host.

Example: dnc scrub --campaign spring --dry-run --json
"""


def register(app: typer.Typer) -> None:
    app.command("scrub", help=HELP)(scrub)


@user_errors
def scrub(
    ctx: typer.Context,
    campaign: Annotated[str | None, typer.Option(help="Only this campaign's queue.")] = None,
    at: Annotated[str | None, typer.Option(help="Scrub as of this time (ISO 8601).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count, change nothing.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    with service_for(ctx) as service:
        try:
            with working("scrubbing" + (f" {campaign}" if campaign else "")):
                report = service.scrub(campaign, parse_instant(at), dry_run, owner=state(ctx).actor)
        except dnc.ScrubBusyError as busy:
            # One line naming the holder and since when; not a user mistake.
            raise fail(str(busy), EXIT_REFUSED) from None
    data = report.to_dict()
    if as_json:
        print_json(data)
        return
    console.print(
        f"{'dry run: ' if dry_run else ''}{data['entries']:,} entries in {data['seconds']} s: "
        f"{data['suppressed']:,} suppressed, {data['deferred']:,} deferred, "
        f"{data['held']:,} held, {data['dialable']:,} dialable",
        highlight=False,
    )
    if data["by_reason"]:
        print_table(
            "by reason",
            [key("reason"), count("suppressed"), count("deferred"), count("held")],
            [
                (code, *(f"{counts.get(k, 0):,}" for k in ("suppressed", "deferred", "held")))
                for code, counts in data["by_reason"].items()
            ],
        )
