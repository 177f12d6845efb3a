"""Dialer queues: what a verdict means for a queued number. Pure domain.

A number that must not be called again leaves the dialable queue (it stays
as a suppressed row with its reasons, for evidence). A number blocked only
for now is deferred to its exact next allowed time. A number blocked with no
knowable next time (consent missing, registry stale, check failed) is held
and looked at again by every scrub.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple

from dnc.numbers import PhoneNumber
from dnc.verdicts import Reason, ReasonCode, Verdict


class QueueStatus(StrEnum):
    """What an entry is, as ``queue show``, the export and the timeline name it."""

    READY = "ready"  # decided callable (now, or once its not_before has passed)
    UNCHECKED = "unchecked"  # loaded since the last scrub: never decided
    DEFERRED = "deferred"  # blocked only for now: callable from not_before
    HELD = "held"  # blocked with no knowable next time; every scrub looks again
    CLAIMED = "claimed"
    SUPPRESSED = "suppressed"
    DONE = "done"


# "Must not be called again": do-not-call lists, registries and litigator
# lists, the three no's, a wrong number (a campaign list entry), an invalid
# number, and a campaign's total attempt limit (which never lapses by itself).
PERMANENT = frozenset(
    {
        ReasonCode.INVALID_NUMBER,
        ReasonCode.DNC_INTERNAL,
        ReasonCode.DNC_CAMPAIGN,
        ReasonCode.DNC_PREFIX,
        ReasonCode.DNC_REGISTRY,
        ReasonCode.DNC_LITIGATOR,
        ReasonCode.THREE_NOS,
    }
)


class Action(StrEnum):
    DIAL = "dialable"
    DEFER = "deferred"
    HOLD = "held"
    SUPPRESS = "suppressed"


# The status an entry decided now is shown with.
STATUS_OF = {
    Action.DIAL: QueueStatus.READY,
    Action.DEFER: QueueStatus.DEFERRED,
    Action.HOLD: QueueStatus.HELD,
    Action.SUPPRESS: QueueStatus.SUPPRESSED,
}


@dataclass(frozen=True, slots=True)
class Disposition:
    """What to do with one queue entry after its check."""

    action: Action
    reasons: tuple[Reason, ...] = ()
    not_before: datetime | None = None
    # Consents a call handed out relies on (Verdict.relied_on).
    relied_on: tuple[int, ...] = ()
    # Written once: a scrub stores the same disposition on many entries.
    encoded: str | None = field(default=None, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.reasons:
            object.__setattr__(self, "encoded", reasons_to_json(self.reasons))

    def reasons_json(self) -> str | None:
        return self.encoded


@lru_cache(maxsize=4096)
def _encoded(reasons: tuple[Reason, ...]) -> str:
    return json.dumps([r.to_dict() for r in reasons], separators=(",", ":"))


def reasons_to_json(reasons: Iterable[Reason]) -> str:
    # A scrub writes the same few reason lists for most of a million entries.
    return _encoded(tuple(reasons))


def dispose(verdict: Verdict) -> Disposition:
    if verdict.allowed:
        return Disposition(Action.DIAL, relied_on=verdict.relied_on)
    if _permanent(verdict.reasons):
        # REASSIGNED stays beside what it kept in force: why no consent lifted it.
        permanent = tuple(
            r for r in verdict.reasons if _is_permanent(r) or r.code is ReasonCode.REASSIGNED
        )
        return Disposition(Action.SUPPRESS, permanent)
    if verdict.next_allowed_at is not None:
        return Disposition(Action.DEFER, verdict.reasons, verdict.next_allowed_at)
    return Disposition(Action.HOLD, verdict.reasons)


def _is_permanent(reason: Reason) -> bool:
    if reason.code in PERMANENT:
        # A list entry with an expiry, or a three-no's suppression for a set
        # number of days, lapses: defer, do not suppress.
        return reason.until is None
    return reason.code is ReasonCode.MAX_ATTEMPTS and reason.until is None


def _permanent(reasons: tuple[Reason, ...]) -> bool:
    return any(_is_permanent(r) for r in reasons)


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """One queued number as a dialer or an officer sees it."""

    id: int
    campaign: str
    number: str
    status: QueueStatus
    priority: int = 0
    lead_id: str | None = None
    location: str | None = None
    not_before: datetime | None = None
    reasons: tuple[Reason, ...] = ()
    suppressed_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """The entry as ``queue show --json`` and the HTTP API print it."""
        return {
            "id": self.id,
            "campaign": self.campaign,
            "number": self.number,
            "status": self.status.value,
            "priority": self.priority,
            "lead_id": self.lead_id,
            "location": self.location,
            "not_before": self.not_before.isoformat() if self.not_before else None,
            "reasons": [r.to_dict() for r in self.reasons],
            "suppressed_at": self.suppressed_at.isoformat() if self.suppressed_at else None,
        }


class Lead(NamedTuple):
    """One number to queue for a campaign, as a lead list gives it."""

    phone: PhoneNumber
    lead_id: str | None
    location: str | None
    priority: int


def reasons_from_json(text: str | None) -> tuple[Reason, ...]:
    if not text:
        return ()
    return tuple(Reason(ReasonCode(r["code"]), r["detail"]) for r in json.loads(text))
