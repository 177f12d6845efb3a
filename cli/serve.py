"""``dnc serve``: the HTTP API (docs/http.md) under uvicorn."""

from __future__ import annotations

import os
import tempfile
from typing import Annotated

import typer

import dnc
from dnc.cli.common import EXIT_UNAVAILABLE, fail, state, user_errors

HELP = """Serve the HTTP API (docs/http.md): verdicts, opt-outs, lists, outcomes,
queues and claims for any dialer, with API keys (dnc api-key create).

Binds to loopback by default: put a TLS reverse proxy in front
(docs/deployment.md). Any number of servers may share one PostgreSQL.

Example: dnc serve --port 8080 --workers 2
"""


def register(app: typer.Typer) -> None:
    app.command("serve", help=HELP)(serve)


@user_errors
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.", min=0, max=65535)] = 8080,
    workers: Annotated[
        int, typer.Option(help="Worker processes (one per core is a good start).", min=1)
    ] = 1,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    import uvicorn

    st = state(ctx)
    # Fail at start-up, with the one-line error, rather than in each worker.
    try:
        dnc.open(st.database_url, st.config).close()
    except dnc.DatabaseMissingError as exc:
        raise fail(str(exc), EXIT_UNAVAILABLE) from None
    # The workers open the service themselves, from the environment.
    if st.database_url:
        os.environ["DNC_DATABASE_URL"] = st.database_url
    if st.config:
        os.environ["DNC_CONFIG"] = st.config
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Counters shared by the workers, so any of them reports the sum.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="dnc-metrics-")
    uvicorn.run(
        "dnc.api.app:factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
        server_header=False,
        timeout_keep_alive=30,
    )
