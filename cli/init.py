"""``dnc init``: create or upgrade the database."""

from __future__ import annotations

import typer

from dnc.cli.common import console, service_for, user_errors


def register(app: typer.Typer) -> None:
    app.command(
        "init",
        help="Create the database or bring it to the current schema.\n\n"
        "Example: dnc --database-url postgresql://dnc@db/dnc init",
    )(init)


@user_errors
def init(ctx: typer.Context) -> None:
    with service_for(ctx) as service:
        url = service.engine.url.render_as_string(hide_password=True)
    console.print(f"database ready: {url}", highlight=False)
