"""The ``dnc`` command line: thin commands over the library a dialer uses."""

from __future__ import annotations

from typing import Annotated

import typer

from dnc.cli import (
    audit,
    campaign,
    check,
    consent,
    history,
    init,
    intent,
    jobs,
    lists,
    optout,
    outcome,
    prefer,
    purge,
    queue,
    registry,
    reply,
    report,
    scrub,
)
from dnc.cli.common import State

app = typer.Typer(
    name="dnc",
    help="Do-not-call lists, calling rules and compliance checks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _global(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="DNC_DATABASE_URL",
            help="SQLAlchemy URL of the store (default: ./dnc.db).",
        ),
    ] = None,
    config: Annotated[
        str | None,
        typer.Option("--config", envvar="DNC_CONFIG", help="A TOML configuration file."),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option(
            "--actor",
            envvar="DNC_ACTOR",
            help="Who is named in the audit trail (default: user@host).",
        ),
    ] = None,
) -> None:
    ctx.obj = State(database_url=database_url, config=config, actor=actor)


init.register(app)
check.register(app)
optout.register(app)
outcome.register(app)
app.add_typer(lists.app, name="list")
app.add_typer(registry.app, name="registry")
history.register(app)
report.register(app)
purge.register(app)
app.add_typer(consent.app, name="consent")
prefer.register(app)
app.add_typer(audit.app, name="audit")
app.add_typer(queue.app, name="queue")
scrub.register(app)
app.add_typer(jobs.app, name="jobs")
intent.register(app)
app.add_typer(reply.app, name="reply")
app.add_typer(campaign.app, name="campaign")


def main() -> None:
    app()
