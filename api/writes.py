"""Writes: opt-outs, list entries and their removal, outcomes, replies. Each
is audited under the API key's name."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse

import dnc
from dnc.api import render
from dnc.api.auth import require
from dnc.api.models import (
    BlockOut,
    EntryOut,
    ListEntryIn,
    OptOutIn,
    OutcomeIn,
    OutcomeOut,
    RemovalIn,
    RemovalOut,
    ReplyIn,
    ReplyOut,
)
from dnc.api.problems import responses

router = APIRouter(tags=["writes"])

WRITE = Depends(require(dnc.Scope.WRITE))
ERRORS = responses(400, 401, 403, 409, 413, 422, 503)


def _service(request: Request) -> dnc.Service:
    service: dnc.Service = request.app.state.service
    return service


@router.post(
    "/v1/opt-outs",
    status_code=201,
    response_model=EntryOut,
    summary="Record a request not to be called",
    responses=ERRORS,
)
def opt_out(
    request: Request,
    response: Response,
    body: OptOutIn,
    key: Annotated[dnc.ApiKey, WRITE],
    idempotency_key: Annotated[
        str | None,
        Header(
            max_length=200,
            description="Send the same value when retrying: one entry, whatever the retries.",
        ),
    ] = None,
) -> JSONResponse:
    """Durable and out of every queue when the 201 arrives. With an
    ``Idempotency-Key`` a retried POST returns the first entry
    (``Idempotent-Replayed: true``) and makes no second one."""
    service = _service(request)
    headers = {}
    if idempotency_key is not None:
        once = service.opt_out_once(
            idempotency_key,
            body.number,
            actor=key.name,
            campaign=body.campaign,
            client=body.client,
            scope=body.scope,
            channel=body.channel,
            at=body.at,
            note=body.note,
        )
        entry = once.entry
        headers["Idempotent-Replayed"] = "true" if once.replayed else "false"
    else:
        entry = service.opt_out(
            body.number,
            campaign=body.campaign,
            client=body.client,
            scope=body.scope,
            channel=body.channel,
            at=body.at,
            note=body.note,
            actor=key.name,
        )
    if headers.get("Idempotent-Replayed") != "true":
        request.app.state.metrics.opt_outs.labels(body.channel).inc()
    return JSONResponse(render.entry(entry), status_code=201, headers=headers)


@router.post(
    "/v1/list-entries",
    status_code=201,
    response_model=EntryOut | BlockOut,
    summary="Put a number or a prefix on a list",
    responses=ERRORS,
)
def add_entry(
    request: Request, body: ListEntryIn, key: Annotated[dnc.ApiKey, WRITE]
) -> JSONResponse:
    """The internal list or ``campaign:NAME``; a ``prefix`` blocks every
    number under it (DNC_PREFIX); ``expires_at`` ends it by itself."""
    service = _service(request)
    if body.prefix is not None:
        block = service.block_prefix(
            body.prefix,
            list_name=body.list,
            reason=body.reason,
            at=body.at,
            expires_at=body.expires_at,
            actor=key.name,
        )
        return JSONResponse(render.block(block), status_code=201)
    assert body.number is not None
    entry = service.add_to_list(
        body.number,
        list_name=body.list,
        reason=body.reason,
        at=body.at,
        expires_at=body.expires_at,
        actor=key.name,
    )
    return JSONResponse(render.entry(entry), status_code=201)


@router.post(
    "/v1/list-entries/removals",
    response_model=RemovalOut,
    summary="Take a number or a prefix off a list (a reason is required)",
    responses=responses(400, 401, 403, 404, 413, 422, 503),
)
def remove_entry(
    request: Request, body: RemovalIn, key: Annotated[dnc.ApiKey, WRITE]
) -> JSONResponse:
    """The entries are kept as history with who removed them and why; 404
    when the number or prefix is not on that list."""
    service = _service(request)
    if body.prefix is not None:
        blocks = service.unblock_prefix(
            body.prefix, reason=body.reason, list_name=body.list, actor=key.name, at=body.at
        )
        return JSONResponse({"entries": [], "blocks": [render.block(b) for b in blocks]})
    assert body.number is not None
    entries = service.remove_from_list(
        body.number, reason=body.reason, list_name=body.list, actor=key.name, at=body.at
    )
    return JSONResponse({"entries": [render.entry(e) for e in entries], "blocks": []})


@router.post(
    "/v1/outcomes",
    status_code=201,
    response_model=OutcomeOut,
    summary="Record how a call ended (ends the dialer's claim on the number)",
    responses=ERRORS,
)
def outcome(request: Request, body: OutcomeIn, key: Annotated[dnc.ApiKey, WRITE]) -> JSONResponse:
    """Everything ``dnc outcome`` takes; the answer is what ``dnc outcome
    --json`` prints. A claimed queue entry of the number ends here."""
    service = _service(request)
    result = service.record_outcome(
        body.number,
        body.campaign,
        body.outcome,
        at=body.at,
        callback_at=body.callback_at,
        refusals=body.refusals,
        note=body.note,
        agent=body.agent,
        actor=key.name,
    )
    e164 = service.parse(body.number).e164
    return JSONResponse(render.outcome(e164, result), status_code=201)


@router.post(
    "/v1/replies",
    status_code=201,
    response_model=ReplyOut,
    summary="Record a reply (SMS, chat, e-mail) and do what it asks",
    responses=ERRORS,
)
def reply(request: Request, body: ReplyIn, key: Annotated[dnc.ApiKey, WRITE]) -> JSONResponse:
    """An opt-out reply is an opt-out, a refusal a refused outcome, a callback
    request a callback; what ``dnc reply --json`` prints."""
    done = _service(request).record_reply(
        body.number,
        body.text,
        channel=body.channel,
        campaign=body.campaign,
        at=body.at,
        agent=body.agent,
        language=body.language,
        actor=key.name,
    )
    if done.entry is not None:
        request.app.state.metrics.opt_outs.labels(body.channel).inc()
    return JSONResponse(done.to_dict(), status_code=201)
