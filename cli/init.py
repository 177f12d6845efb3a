"""``dnc init``: create or upgrade the database, the only command that creates one."""

from __future__ import annotations

import typer

import dnc
from dnc.cli.common import console, state, user_errors


def register(app: typer.Typer) -> None:
    app.command(
        "init",
        help="Create the database or bring it to the current schema; prints which database.\n\n"
        "Every other command refuses a database that does not exist yet.\n\n"
        "Example: dnc --database-url postgresql://dnc@db/dnc init",
    )(init)


@user_errors
def init(ctx: typer.Context) -> None:
    st = state(ctx)
    try:
        try:
            service = st.service()
            verb = "ready"
        except dnc.DatabaseMissingError:
            service = st.service(create=True)
            verb = "created"
        database = service.database
    finally:
        st.close()
    console.print(f"database {verb}: {database}", highlight=False, soft_wrap=True)
