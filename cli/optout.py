"""``dnc opt-out``: record a request not to be called."""

from __future__ import annotations

from typing import Annotated

import typer

from dnc.cli.common import console, parse_instant, print_json, state, user_errors

HELP = """Record that NUMBER asked not to be called. Effective at once, everywhere.

Without --scope the configured default applies ([opt_out], company-wide unless
configured); from 2027-01-31 (the opt-out's --at decides) the US revoke-all rule
widens it for US numbers to every campaign of the caller's client.

Example: dnc opt-out "+1 201 555 0123" --channel call --note "said stop"
Example: dnc opt-out "+1 201 555 0123" --scope client --campaign spring
"""


def register(app: typer.Typer) -> None:
    app.command("opt-out", help=HELP)(opt_out)


@user_errors
def opt_out(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The number, in any common format.")],
    campaign: Annotated[str | None, typer.Option(help="The campaign it was said to.")] = None,
    scope: Annotated[
        str | None,
        typer.Option(
            help="company (every campaign), client (every campaign of --client, or of "
            "--campaign's client) or campaign (only --campaign); default: configured."
        ),
    ] = None,
    client: Annotated[
        str | None, typer.Option(help="The client (of the call centre) it was said to.")
    ] = None,
    channel: Annotated[
        str, typer.Option(help="How it was asked: call, sms, email, web or letter.")
    ] = "call",
    note: Annotated[str | None, typer.Option(help="Free text kept with the entry.")] = None,
    at: Annotated[
        str | None, typer.Option(help="When it was asked (ISO 8601 with offset); default now.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the entry as JSON.")] = False,
) -> None:
    st = state(ctx)
    try:
        entry = st.service().opt_out(
            number,
            campaign=campaign,
            scope=scope,
            client=client,
            channel=channel,
            at=parse_instant(at),
            note=note,
            actor=st.actor,
        )
    finally:
        st.close()
    if as_json:
        print_json(
            {
                "number": entry.number,
                "list": entry.list_name,
                "id": entry.id,
                "created_at": entry.created_at.isoformat(),
            }
        )
    else:
        console.print(
            f"{entry.number} is on the {entry.list_name} do-not-call list (entry {entry.id})",
            highlight=False,
        )
