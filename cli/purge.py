"""``dnc purge``: forget call outcomes past the retention period, never an opt-out."""

from __future__ import annotations

from typing import Annotated

import typer

from dnc.cli.common import console, parse_instant, print_json, service_for, state, user_errors

HELP = """Delete call outcomes older than \\[retention] outcomes_years (default 5),
and consent evidence past its keep-until (\\[retention] consent_evidence_years
after given and after last use): the uses, and the consent if revoked or expired.
List entries, the audit log and consents in force are never purged, nor the
refusals that keep a three-no's suppression in force. The purge is recorded in
the audit log.

Example: dnc purge --dry-run --json
"""


def register(app: typer.Typer) -> None:
    app.command("purge", help=HELP)(purge)


@user_errors
def purge(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would go; delete nothing.")
    ] = False,
    at: Annotated[
        str | None, typer.Option(help="Purge as of this ISO 8601 time (default now).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    when = parse_instant(at)
    with service_for(ctx) as service:
        result = service.purge(at=when, dry_run=dry_run, actor=state(ctx).actor)
    if as_json:
        print_json(result.to_dict())
    else:
        console.print(result.line(), highlight=False, soft_wrap=True)
