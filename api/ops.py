"""Operations: liveness, readiness (for the load balancer) and metrics. No key:
keep them on the private side of the proxy (docs/deployment.md)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

import dnc
from dnc.api.models import Health, Readiness

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, summary="The process is alive")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Ready to answer: the database reachable, no required registry stale",
    responses={503: {"model": Readiness, "description": "Not ready, with the reasons"}},
)
def readyz(request: Request) -> JSONResponse:
    """503 with the reasons when this process could not answer a verdict with
    anything but a refusal: a load balancer takes it out of rotation."""
    service: dnc.Service = request.app.state.service
    reasons = []
    try:
        for s in service.registry_status():
            if s.definition.required and s.freshness.state != "fresh":
                age = f"{s.freshness.age_days} days old" if s.freshness.as_of else "no snapshot"
                reasons.append(
                    f"required registry {s.definition.name} is {s.freshness.state} ({age})"
                )
        # A new snapshot's file not yet on this host: out of rotation while it
        # is fetched (asking starts the fetch), not answering CHECK_FAILED.
        reasons.extend(service.registry_files())
    except Exception as exc:  # noqa: BLE001 - readiness says why, whatever broke
        reasons.append(f"database unreachable: {type(exc).__name__}: {exc}".splitlines()[0])
    body = {
        "status": "not ready" if reasons else "ready",
        "database": service.database,
        "reasons": reasons,
    }
    return JSONResponse(body, status_code=503 if reasons else 200)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics(request: Request) -> Response:
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
