"""The ``dnc`` command line: thin commands over the library a dialer uses."""

from __future__ import annotations

from importlib.metadata import version as package_version
from typing import Annotated

import typer

import dnc
from dnc.cli import (
    apikey,
    audit,
    campaign,
    check,
    consent,
    doctor,
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
    serve,
)
from dnc.cli.common import State, fail
from dnc.cli.interrupt import RootGroup

app = typer.Typer(
    name="dnc",
    cls=RootGroup,
    help="Do-not-call lists, calling rules and compliance checks.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dnc {package_version('dnc')}")
        raise typer.Exit()


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
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    if config is not None:
        # A garbage file is one line and exit 2 for every command, those that
        # open no database too, before anything is done.
        try:
            dnc.load_config(config)
        except dnc.DncError as exc:
            raise fail(str(exc)) from None
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
doctor.register(app)
app.add_typer(reply.app, name="reply")
app.add_typer(apikey.app, name="api-key")
serve.register(app)
app.add_typer(campaign.app, name="campaign")


def main() -> None:
    app()
