"""``dnc prefer``: the person's own calling wishes."""

from __future__ import annotations

from typing import Annotated

import typer

import dnc
from dnc.cli.common import console, print_json, service_for, state, user_errors

HELP = """Record when NUMBER wants to be called, in their local time. An update
changes only what it names: --days after --not-before keeps the earlier hour.

Example: dnc prefer 2015550123 --not-before 10:00 --not-after 18:00 --days mon-fri

Example: dnc prefer 2015550123 --show
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
    show: Annotated[
        bool, typer.Option("--show", help="Print the wishes on record; change nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    changes = not_before is not None or not_after is not None or days is not None
    if sum((changes, clear, show)) > 1:
        raise dnc.InputError("give --show, --clear, or the wishes to record; not more than one")
    with service_for(ctx) as service:
        e164 = service.parse(number).e164
        if show:
            pref = service.preference(number)
        elif clear:
            service.clear_preference(number, actor=state(ctx).actor)
            pref = None
        else:
            pref = service.set_preference(number, not_before, not_after, days, state(ctx).actor)
    parts = dnc.Service.preference_dict(pref) or {}
    text = parts.pop("text", None) or "no preference"
    if as_json:
        print_json(
            {"number": e164, "preference": text}
            | {k: parts.get(k) for k in ("not_before", "not_after", "days")}
        )
    else:
        console.print(f"{e164}: {text}", highlight=False)
