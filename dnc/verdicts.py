"""Verdicts: the answer to "may we call this number now?", with its reasons.

Pure domain: no I/O. Reason codes are a public contract (docs/reasons.md):
dialers and scripts match on them, so a code is never renamed or reused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ReasonCode(StrEnum):
    """Stable machine-readable codes for why a call may not be made."""

    INVALID_NUMBER = "INVALID_NUMBER"
    CHECK_FAILED = "CHECK_FAILED"
    DNC_INTERNAL = "DNC_INTERNAL"
    DNC_CAMPAIGN = "DNC_CAMPAIGN"
    DNC_PREFIX = "DNC_PREFIX"
    DNC_REGISTRY = "DNC_REGISTRY"
    DNC_LITIGATOR = "DNC_LITIGATOR"
    REGISTRY_STALE = "REGISTRY_STALE"
    THREE_NOS = "THREE_NOS"
    CALLBACK_SCHEDULED = "CALLBACK_SCHEDULED"
    RETRY_WAIT = "RETRY_WAIT"
    MAX_ATTEMPTS = "MAX_ATTEMPTS"
    FREQUENCY_CAP = "FREQUENCY_CAP"
    OUTSIDE_CALLING_HOURS = "OUTSIDE_CALLING_HOURS"
    BLOCKED_DAY = "BLOCKED_DAY"
    PREFERRED_HOURS = "PREFERRED_HOURS"
    CONSENT_REQUIRED = "CONSENT_REQUIRED"
    REASSIGNED = "REASSIGNED"
    ABANDON_RATE = "ABANDON_RATE"
    DNC_CLIENT = "DNC_CLIENT"


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason a call may not be made: a stable code and a human detail.

    ``until`` is when this reason stops applying, when that is knowable
    (a callback time, the end of a retry wait); None means it does not lapse
    by itself or that the rule engine works the time out (calling hours).
    """

    code: ReasonCode
    detail: str
    until: datetime | None = None

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code.value, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Verdict:
    """The immutable answer to one check.

    ``number`` is E.164 when the input parsed, else the input as given.
    ``next_allowed_at`` is the earliest instant every rule allows a call;
    None when the number may never be called, or when that is not knowable.
    """

    number: str
    allowed: bool
    reasons: tuple[Reason, ...] = field(default=())
    next_allowed_at: datetime | None = None
    # The consents (ids) without which an allowed call would have been
    # refused: each such check or claim is a use of them (UWG §7a evidence).
    relied_on: tuple[int, ...] = ()

    @property
    def codes(self) -> tuple[ReasonCode, ...]:
        return tuple(r.code for r in self.reasons)

    def to_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "allowed": self.allowed,
            "reasons": [r.to_dict() for r in self.reasons],
            "next_allowed_at": (self.next_allowed_at.isoformat() if self.next_allowed_at else None),
        }

    @classmethod
    def refuse(
        cls,
        number: str,
        reasons: Iterable[Reason],
        next_allowed_at: datetime | None = None,
    ) -> Verdict:
        reasons = tuple(reasons)
        if not reasons:
            # A refusal without a reason cannot explain itself; treat as a bug.
            raise ValueError("a refusal needs at least one reason")
        return cls(number, False, reasons, next_allowed_at)

    @classmethod
    def allow(cls, number: str) -> Verdict:
        return cls(number, True, (), None)
