"""Verdicts explain themselves and never refuse without a reason."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from dnc.verdicts import Reason, ReasonCode, Verdict


def test_refusal_needs_a_reason() -> None:
    with pytest.raises(ValueError):
        Verdict.refuse("+12015550123", [])


def test_verdict_is_immutable() -> None:
    verdict = Verdict.allow("+12015550123")
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.allowed = False  # type: ignore[misc]


def test_json_shape_is_the_public_contract() -> None:
    at = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    verdict = Verdict.refuse(
        "+12015550123", [Reason(ReasonCode.RETRY_WAIT, "busy, retry in 15 min", at)], at
    )
    assert verdict.to_dict() == {
        "number": "+12015550123",
        "allowed": False,
        "reasons": [{"code": "RETRY_WAIT", "detail": "busy, retry in 15 min"}],
        "next_allowed_at": "2026-11-23T14:00:00+00:00",
    }


def test_reason_codes_are_the_documented_contract() -> None:
    documented = {
        "INVALID_NUMBER", "CHECK_FAILED", "DNC_INTERNAL", "DNC_CAMPAIGN", "DNC_PREFIX",
        "DNC_REGISTRY", "REGISTRY_STALE", "THREE_NOS", "CALLBACK_SCHEDULED", "RETRY_WAIT",
        "MAX_ATTEMPTS", "FREQUENCY_CAP", "OUTSIDE_CALLING_HOURS", "BLOCKED_DAY",
        "PREFERRED_HOURS", "CONSENT_REQUIRED", "REASSIGNED",
        "ABANDON_RATE",
        "DNC_CLIENT",
        "DNC_LITIGATOR",
    }  # fmt: skip
    assert {code.value for code in ReasonCode} == documented
