"""``dnc api-key``: keys for the HTTP API; the secret is printed once."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from dnc.cli.common import console, print_json, service_for, state, user_errors

app = typer.Typer(
    help="HTTP API keys: create (the key is shown once), list, revoke.", no_args_is_help=True
)


@app.command(
    "create",
    help="Make a key. Prints the key once, alone on stdout: only its hash is kept.\n\n"
    "Scopes: check (verdicts, reads), write (opt-outs, lists, outcomes, queues, claims; "
    "includes check), admin (includes both).\n\n"
    "Example: dnc api-key create --name dialer-7 --scope write",
)
@user_errors
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="The key's name: the actor in the audit trail.")],
    scope: Annotated[
        list[str] | None, typer.Option(help="check, write or admin (repeatable; default check).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help='Print {"name", "key", "scopes"}.')
    ] = False,
) -> None:
    st = state(ctx)
    with service_for(ctx) as service:
        made = service.create_api_key(name, scope or ["check"], actor=st.actor)
    if as_json:
        print_json(
            {
                "name": made.key.name,
                "key": made.secret,
                "scopes": sorted(s.value for s in made.key.scopes),
            }
        )
    else:
        typer.echo(made.secret)


@app.command(
    "list",
    help="The keys, their scopes and state (never the secrets).\n\n"
    "Example: dnc api-key list --json",
)
@user_errors
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array.")] = False,
) -> None:
    with service_for(ctx) as service:
        keys = service.api_keys()
    if as_json:
        print_json([k.to_dict() for k in keys])
        return
    table = Table(title=f"{len(keys)} API keys")
    for column in ("name", "scopes", "created", "by", "revoked"):
        table.add_column(column, overflow="fold")
    for k in keys:
        table.add_row(
            k.name,
            ",".join(sorted(s.value for s in k.scopes)),
            k.created_at.isoformat(timespec="seconds"),
            k.created_by,
            k.revoked_at.isoformat(timespec="seconds") if k.revoked_at else "",
        )
    console.print(table)


@app.command(
    "revoke",
    help="Revoke a key: refused by every server within DNC_API_KEY_TTL seconds (default 5).\n\n"
    'Example: dnc api-key revoke dialer-7 --reason "host retired"',
)
@user_errors
def revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The key's name.")],
    reason: Annotated[str | None, typer.Option(help="Why, for the audit trail.")] = None,
) -> None:
    st = state(ctx)
    with service_for(ctx) as service:
        key = service.revoke_api_key(name, actor=st.actor, reason=reason)
    console.print(f"API key {key.name!r} revoked", highlight=False)
