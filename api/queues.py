"""Dialer queues over HTTP: leads in (all or nothing), next numbers out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse

import dnc
from dnc.api.auth import require
from dnc.api.models import ClaimIn, ClaimOut, QueueIn, QueueLoadOut
from dnc.api.problems import responses

router = APIRouter(tags=["queues"])

WRITE = Depends(require(dnc.Scope.WRITE))
Campaign = Annotated[str, Path(min_length=1, max_length=100)]


@router.post(
    "/v1/campaigns/{campaign}/queue",
    status_code=201,
    response_model=QueueLoadOut,
    summary="Queue leads for a campaign, all or nothing",
    responses=responses(400, 401, 403, 413, 422, 503),
)
def load(
    request: Request, campaign: Campaign, body: QueueIn, key: Annotated[dnc.ApiKey, WRITE]
) -> JSONResponse:
    """Every lead is checked before anything is queued: a bad number,
    priority or location is a 400 naming ``leads[i]``, and nothing is queued."""
    service: dnc.Service = request.app.state.service
    summary = service.load_leads(campaign, [lead.model_dump() for lead in body.leads], at=body.at)
    return JSONResponse(
        {"read": summary.read, "added": summary.added, "already_queued": summary.already_queued},
        status_code=201,
    )


@router.post(
    "/v1/campaigns/{campaign}/claims",
    response_model=ClaimOut,
    summary="Claim the next numbers to call",
    responses=responses(400, 401, 403, 413, 422, 503),
)
def claim(
    request: Request, campaign: Campaign, body: ClaimIn, key: Annotated[dnc.ApiKey, WRITE]
) -> JSONResponse:
    """Up to ``limit`` due entries, each re-checked at the last moment, held
    under the key's name. A claim ends when the call's outcome is recorded
    (POST /v1/outcomes); one not ended in 30 minutes is due again."""
    service: dnc.Service = request.app.state.service
    handed = service.next_calls(campaign, body.limit, at=body.at, owner=key.name)
    return JSONResponse({"owner": key.name, "claims": [e.to_dict() for e in handed]})
