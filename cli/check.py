"""``dnc check``: may this number be called now?"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

import dnc
from dnc.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    console,
    fail,
    parse_instant,
    print_json,
    state,
    user_errors,
)

HELP = """Check whether NUMBER may be called, and why not.

Exit status: 0 may call, 1 must not call (also when the database cannot be
reached), 2 bad input, 3 no dnc database there (run dnc init).

Example: dnc check "+1 201 555 0123" --campaign spring --json
"""


def register(app: typer.Typer) -> None:
    app.command("check", help=HELP)(check)


@user_errors
def check(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The number, in any common format.")],
    campaign: Annotated[str | None, typer.Option(help="The campaign the call is for.")] = None,
    at: Annotated[
        str | None, typer.Option(help="When the call would be made (ISO 8601 with offset).")
    ] = None,
    location: Annotated[
        str | None,
        typer.Option(help="Where the called party is: ISO 3166-2 (US-FL) or IANA zone."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    when = parse_instant(at)
    st = state(ctx)
    try:
        service = st.service()
    except dnc.DatabaseMissingError as exc:
        # Not an outage but the wrong place: said as a storage error (exit 3),
        # with the refusing verdict still printed for a --json reader.
        if as_json:
            print_json(_failed(number, str(exc)).to_dict())
        raise fail(str(exc), EXIT_UNAVAILABLE) from None
    except dnc.StorageError as exc:
        # Fail closed: no database means no clearance, said as a verdict.
        verdict = _failed(number, str(exc))
    else:
        try:
            verdict = service.check(number, campaign=campaign, at=when, location=location)
        finally:
            st.close()
    invalid = dnc.ReasonCode.INVALID_NUMBER in verdict.codes
    if as_json:
        print_json(verdict.to_dict())
    elif invalid:
        raise fail(f"invalid phone number {number!r}: {verdict.reasons[0].detail}")
    else:
        render(verdict)
    if invalid:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_OK if verdict.allowed else EXIT_REFUSED)


def _failed(number: str, why: str) -> dnc.Verdict:
    return dnc.Verdict.refuse(
        number, [dnc.Reason(dnc.ReasonCode.CHECK_FAILED, f"database unavailable: {why}")]
    )


def render(verdict: dnc.Verdict) -> None:
    title = f"{verdict.number}: " + (
        "[bold green]may call[/]" if verdict.allowed else "[bold red]do not call[/]"
    )
    if verdict.allowed:
        console.print(title)
        return
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("reason", style="bold")
    table.add_column("detail", overflow="fold")
    for reason in verdict.reasons:
        table.add_row(reason.code.value, reason.detail)
    console.print(table)
    nxt = verdict.next_allowed_at.isoformat() if verdict.next_allowed_at else "not knowable"
    console.print(f"next allowed: {nxt}", highlight=False)
