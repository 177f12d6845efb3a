"""Verdicts: one number per GET, up to 10 000 per POST, through the same
serialiser as ``dnc check --json``. Fail closed: a verdict that could not be
decided (the store gone) is a CHECK_FAILED refusal *and* a 503."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

import dnc
from dnc.api.auth import authenticate, require
from dnc.api.models import BATCH_LIMIT, BatchIn, BatchOut, NumberRef, VerdictOut
from dnc.api.problems import ApiProblem, responses
from dnc.api.render import instant

router = APIRouter(tags=["verdicts"])

CHECK = Depends(require(dnc.Scope.CHECK))


def status_of(verdicts: list[dnc.Verdict]) -> int:
    """503 when any verdict could not be decided: a client that reads only
    the status stops too."""
    failed = dnc.ReasonCode.CHECK_FAILED
    return 503 if any(failed in v.codes for v in verdicts) else 200


def failed(number: str, why: str) -> dnc.Verdict:
    return dnc.Verdict.refuse(
        number, [dnc.Reason(dnc.ReasonCode.CHECK_FAILED, f"check could not complete: {why}")]
    )


def _query(name: str, description: str, limit: int = 64) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"anyOf": [{"type": "string", "maxLength": limit}, {"type": "null"}]},
    }


# The hot path declares its parameters to the document by hand and reads them
# itself: FastAPI's per-parameter validation costs more than the check.
VERDICT_PARAMETERS = [
    {
        "name": "number",
        "in": "path",
        "required": True,
        "description": "The number, in any common format (E.164 best).",
        "schema": {"type": "string"},
    },
    _query("campaign", "The campaign the call is for.", 100),
    _query("at", "When the call would be made: ISO 8601 with offset; default now."),
    _query("location", "Where the called party is: ISO 3166-2 (US-FL) or IANA zone."),
]


@router.get(
    "/v1/numbers/{number}/verdict",
    response_model=VerdictOut,
    summary="May this number be called?",
    openapi_extra={"parameters": VERDICT_PARAMETERS},
    responses={
        503: {"model": VerdictOut, "description": "Could not decide: a CHECK_FAILED refusal"},
        **responses(400, 401, 403, 404, 422),
    },
)
async def verdict(request: Request) -> JSONResponse:
    """Exactly the ``dnc check --json`` object. An unparsable number is a
    200 refusal with INVALID_NUMBER, as in a batch; a naive ``at`` or an
    unknown location is a 400.

    Run on the event loop, not in the thread pool: the check is tens of
    microseconds on its precompiled reads, less than a thread hand-off, and
    the hot path's connection is then one per process, not one per thread."""
    started = time.perf_counter()
    authenticate(request, dnc.Scope.CHECK)
    number: str = request.path_params["number"]
    query = request.query_params
    for name, limit in (("campaign", 100), ("at", 64), ("location", 64)):
        if len(query.get(name) or "") > limit:
            raise ApiProblem(422, "validation", f"query.{name}: at most {limit} characters")
    when = instant(query.get("at"))
    service: dnc.Service = request.app.state.service
    try:
        answer = service.check(
            number,
            campaign=query.get("campaign") or None,
            at=when,
            location=query.get("location") or None,
        )
    except dnc.InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - fail closed, whatever broke
        answer = failed(number, f"{type(exc).__name__}: {exc}")
    metrics = request.app.state.metrics
    metrics.count((answer,))
    metrics.single.observe(time.perf_counter() - started)
    return JSONResponse(answer.to_dict(), status_code=status_of([answer]))


@router.post(
    "/v1/verdicts",
    response_model=BatchOut,
    summary=f"Verdicts for up to {BATCH_LIMIT} numbers",
    responses={
        503: {"model": BatchOut, "description": "Some verdict could not be decided"},
        **responses(400, 401, 403, 413, 422),
    },
)
def verdicts(request: Request, body: BatchIn, key: Annotated[dnc.ApiKey, CHECK]) -> JSONResponse:
    """One verdict per number, in order, each with the ``ref`` it was sent
    with; decided set-based (``check_many``), not one query per number."""
    started = time.perf_counter()
    if len(body.numbers) > BATCH_LIMIT:
        raise ApiProblem(
            413,
            "batch_too_large",
            f"{len(body.numbers)} numbers in one request; the limit is {BATCH_LIMIT}",
        )
    texts = [n.number if isinstance(n, NumberRef) else n for n in body.numbers]
    refs = [n.ref if isinstance(n, NumberRef) else None for n in body.numbers]
    service: dnc.Service = request.app.state.service
    try:
        answers = service.check_many(texts, campaign=body.campaign or None, at=body.at)
    except dnc.InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - fail closed for the whole batch
        answers = [failed(t, f"{type(exc).__name__}: {exc}") for t in texts]
    out = []
    for answer, ref in zip(answers, refs, strict=True):
        item = answer.to_dict()
        item["ref"] = ref
        out.append(item)
    metrics = request.app.state.metrics
    metrics.count(answers)
    metrics.batch.observe(time.perf_counter() - started)
    return JSONResponse({"count": len(out), "verdicts": out}, status_code=status_of(answers))
