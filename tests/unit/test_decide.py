"""How reasons combine into a verdict and its next allowed time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dnc.decide import combine
from dnc.verdicts import Reason, ReasonCode

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class OpensAtNine:
    """A schedule that opens at 09:00 UTC each day."""

    def next_open(self, start: datetime) -> datetime | None:
        nine = start.replace(hour=9, minute=0, second=0, microsecond=0)
        return start if start.hour >= 9 else nine


def test_no_reasons_allows() -> None:
    verdict = combine("+1", [], AT, None)
    assert verdict.allowed and verdict.next_allowed_at is None


def test_a_reason_that_never_lapses_makes_next_time_unknowable() -> None:
    reasons = [
        Reason(ReasonCode.RETRY_WAIT, "busy", AT + timedelta(minutes=15)),
        Reason(ReasonCode.DNC_INTERNAL, "opted out"),
    ]
    verdict = combine("+1", reasons, AT, OpensAtNine())
    assert not verdict.allowed and verdict.next_allowed_at is None
    assert verdict.codes == (ReasonCode.RETRY_WAIT, ReasonCode.DNC_INTERNAL)


def test_next_time_is_the_latest_lapse_then_the_schedule() -> None:
    late = AT.replace(hour=23)
    reasons = [
        Reason(ReasonCode.RETRY_WAIT, "busy", AT + timedelta(minutes=15)),
        Reason(ReasonCode.CALLBACK_SCHEDULED, "callback", late),
    ]
    assert combine("+1", reasons, AT, None).next_allowed_at == late
    early = AT.replace(hour=3)
    callback = [Reason(ReasonCode.CALLBACK_SCHEDULED, "callback", early)]
    assert combine("+1", callback, AT.replace(hour=1), OpensAtNine()).next_allowed_at == AT.replace(
        hour=9
    )


def test_window_reasons_defer_to_the_schedule() -> None:
    reasons = [Reason(ReasonCode.OUTSIDE_CALLING_HOURS, "too early")]
    at = AT.replace(hour=7)
    assert combine("+1", reasons, at, OpensAtNine()).next_allowed_at == at.replace(hour=9)
