"""``dnc prefer``: the person's own calling wishes."""

from __future__ import annotations

from typing import Annotated

import typer

from dnc.cli.common import console, print_json, service_for, state, user_errors

HELP = """Record when NUMBER wants to be called, in their local time.

Example: dnc prefer 2015550123 --not-before 10:00 --not-after 18:00 --days mon-fri
"""


def register(app: typer.Typer) -> None:
    app.command("prefer", help=HELP)(prefer)


@user_errors
def prefer(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The number, in any common format.")],
    not_before: Annotated[str | None, typer.Option(help="No calls before HH:MM.")] = None,
    not_after: Annotated[str | None, typer.Option(help="No calls at or after HH:MM.")] = None,
    days: Annotated[
        str | None, typer.Option(help="Only these days, e.g. mon-fri or sat,sun.")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Forget the wishes on record.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    with service_for(ctx) as service:
        e164 = service.parse(number).e164
        if clear:
            service.clear_preference(number, actor=state(ctx).actor)
            text = "no preference"
        else:
            pref = service.set_preference(number, not_before, not_after, days, state(ctx).actor)
            text = service.describe_preference(pref)
    if as_json:
        print_json({"number": e164, "preference": text})
    else:
        console.print(f"{e164}: {text}", highlight=False)
