"""``dnc history``: a number's whole story, in order."""

from __future__ import annotations

from typing import Annotated

import typer

from dnc.cli.common import print_json, service_for, user_errors
from dnc.cli.render import key, moment, print_table, stamp, text

HELP = """Tell NUMBER's story, oldest first: list entries and removals, prefix blocks,
registry listings (with their snapshot date) and when the number entered and
left each registry snapshot, call outcomes and the state each led to,
consents, preferences, queue suppressions and scrub deferrals, each with who
did it and why.

Example: dnc history "+1 201 555 0123" --json
"""


def register(app: typer.Typer) -> None:
    app.command("history", help=HELP)(history)


@user_errors
def history(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The number, in any common format.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array of events.")] = False,
) -> None:
    with service_for(ctx) as service:
        e164 = service.parse(number).e164
        events = service.timeline(number)
    if as_json:
        print_json([e.to_dict() for e in events])
        return
    print_table(
        f"history of {e164}: {len(events):,} events",
        [moment("at"), key("event"), text("summary", 4), text("actor"), text("reason", 2)],
        [(stamp(e.at), e.kind, e.summary, e.actor, e.reason) for e in events],
    )
