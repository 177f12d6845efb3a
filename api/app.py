"""The ASGI application: ``create_app(service)``, or ``factory()`` for uvicorn
workers, which open the service from DNC_DATABASE_URL and DNC_CONFIG."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

import dnc
from dnc.api import limits, ops, problems, queues, reads, verdicts, writes
from dnc.api.auth import KeyCache
from dnc.api.metrics import Metrics

THREADS = 8
"""Threads for the blocking endpoints (writes, batches, reads) per process."""

KEY_TTL = 5.0
"""Seconds a revoked key may still work on a process that read it before."""

DESCRIPTION = """The do-not-call and calling-rules service over HTTP.

Send `Authorization: Bearer KEY` (made by `dnc api-key create`). Scopes:
`check` (verdicts and reads), `write` (opt-outs, lists, outcomes, replies,
queues, claims; includes check), `admin` (keys; includes both). Errors are
RFC 9457 problem details with a stable `code`. A verdict that cannot be
decided is a 503 whose body is a CHECK_FAILED refusal.
"""


def _float_env(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def create_app(
    service: dnc.Service,
    *,
    key_ttl: float | None = None,
    max_body: int | None = None,
    timeout: float | None = None,
    close_service: bool = False,
) -> FastAPI:
    """The API over ``service``; limits default to DNC_API_KEY_TTL,
    DNC_API_MAX_BODY and DNC_API_TIMEOUT, else 5 s, 2 MiB and 30 s."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Fewer threads than the store has pooled connections: a burst of
        # writes queues here, rather than timing out waiting for a connection.
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        yield
        if close_service:
            service.close()

    app = FastAPI(
        title="dnc",
        version="1",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.keys = KeyCache(
        service, key_ttl if key_ttl is not None else _float_env("DNC_API_KEY_TTL", KEY_TTL)
    )
    app.state.metrics = Metrics(service)
    problems.install(app)
    for module in (verdicts, writes, queues, reads, ops):
        app.include_router(module.router)
    app.add_middleware(
        limits.Limits,
        max_body=max_body
        if max_body is not None
        else int(_float_env("DNC_API_MAX_BODY", limits.MAX_BODY)),
        timeout=timeout if timeout is not None else _float_env("DNC_API_TIMEOUT", limits.TIMEOUT),
    )
    return app


def factory() -> FastAPI:
    """For ``uvicorn --factory dnc.api.app:factory`` (what ``dnc serve`` runs):
    each worker process opens its own service. A missing database stops the
    server at start-up rather than answering from nothing."""
    service = dnc.open(os.environ.get("DNC_DATABASE_URL"), os.environ.get("DNC_CONFIG"))
    service.registry_files()  # start opening the registries' files before the first verdict
    return create_app(service, close_service=True)
