"""``dnc campaign``: how a campaign stands (its abandoned-call rate)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from dnc.cli.common import console, parse_instant, print_json, service_for, user_errors

app = typer.Typer(help="How a campaign stands: its abandoned-call rate.", no_args_is_help=True)


@app.command(
    "status",
    help="The campaign's abandoned-call rate in the 30-day period containing --at (default "
    "now): calls abandoned of those answered by a person, against its limit (default 3 %, "
    "16 CFR 310.4(b)(4)(i)). Over the limit, checks and claims for the campaign stop with "
    "ABANDON_RATE.\n\n"
    "Example: dnc campaign status spring --json",
)
@user_errors
def status(
    ctx: typer.Context,
    campaign: Annotated[str, typer.Argument(help="The campaign.")],
    at: Annotated[
        str | None, typer.Option(help="The period containing this ISO 8601 time (default now).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON object.")] = False,
) -> None:
    when = parse_instant(at)
    with service_for(ctx) as service:
        found = service.abandon_rate(campaign, at=when)
    if as_json:
        print_json({"campaign": campaign, "abandon_rate": found.to_dict()})
        return
    table = Table(title=f"campaign {campaign}: abandoned calls")
    for column in ("period", "answered", "abandoned", "rate", "limit", "state"):
        table.add_column(column)
    table.add_row(
        f"{found.period_start.date().isoformat()} to {found.period_end.date().isoformat()}",
        f"{found.answered:,}",
        f"{found.abandoned:,}",
        f"{found.rate:.2%}",
        f"{found.limit:.1%}",
        found.state,
    )
    console.print(table)
    epoch = found.epoch.isoformat() if found.epoch else "none yet"
    console.print(f"periods of 30 days from {epoch} ({found.epoch_source})", highlight=False)
