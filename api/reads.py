"""Reads: a number's history, the registries, job runs, the keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

import dnc
from dnc.api import render
from dnc.api.auth import require
from dnc.api.models import ApiKeyOut, HistoryOut, JobRunOut, RegistryOut
from dnc.api.problems import responses

router = APIRouter(tags=["reads"])

CHECK = Depends(require(dnc.Scope.CHECK))
ADMIN = Depends(require(dnc.Scope.ADMIN))
ERRORS = responses(400, 401, 403, 422, 503)


def _service(request: Request) -> dnc.Service:
    service: dnc.Service = request.app.state.service
    return service


@router.get(
    "/v1/numbers/{number}/history",
    response_model=HistoryOut,
    summary="A number's whole story",
    responses=ERRORS,
)
def history(request: Request, number: str, key: Annotated[dnc.ApiKey, CHECK]) -> JSONResponse:
    """The events ``dnc history --json`` prints, oldest first."""
    service = _service(request)
    e164 = service.parse(number).e164
    events = service.timeline(number)
    return JSONResponse({"number": e164, "events": [e.to_dict() for e in events]})


@router.get(
    "/v1/registries",
    response_model=list[RegistryOut],
    summary="Each registry's snapshot and freshness",
    responses=ERRORS,
)
def registries(request: Request, key: Annotated[dnc.ApiKey, CHECK]) -> JSONResponse:
    """The rows ``dnc registry status --json`` prints."""
    return JSONResponse([render.registry(s) for s in _service(request).registry_status()])


@router.get(
    "/v1/jobs/runs",
    response_model=list[JobRunOut],
    summary="Recorded job runs, newest first",
    responses=ERRORS,
)
def job_runs(
    request: Request,
    key: Annotated[dnc.ApiKey, CHECK],
    job: Annotated[str | None, Query(max_length=50)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> JSONResponse:
    runs = _service(request).job_runs(job, limit)
    return JSONResponse([render.job_run(r) for r in runs])


@router.get(
    "/v1/api-keys",
    response_model=list[ApiKeyOut],
    summary="The API keys (never their secrets)",
    responses=ERRORS,
)
def api_keys(request: Request, key: Annotated[dnc.ApiKey, ADMIN]) -> JSONResponse:
    return JSONResponse([k.to_dict() for k in _service(request).api_keys()])
