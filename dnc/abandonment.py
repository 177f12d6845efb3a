"""Abandoned calls: a predictive dialer's limit per campaign. Pure domain.

US TSR 16 CFR 310.4(b)(4)(i): at most 3 % of the calls answered by a live
person may be abandoned (no agent within 2 seconds of the greeting),
measured per campaign over each successive 30-day period. The periods of a
campaign run from its epoch: the configured ``[campaigns.NAME.abandonment]
epoch`` date, else the UTC day of the campaign's first call answered by a
person. A period starts and ends at 00:00 UTC.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from dnc.outcomes import Outcome
from dnc.verdicts import Reason, ReasonCode

PERIOD = timedelta(days=30)
SOURCE = "16 CFR 310.4(b)(4)(i)"

# Outcomes of a call a live person answered: the rate's denominator.
LIVE = frozenset(
    {
        Outcome.ANSWERED,
        Outcome.SALE,
        Outcome.REFUSED,
        Outcome.CALLBACK,
        Outcome.OPT_OUT,
        Outcome.WRONG_NUMBER,
        Outcome.HUNG_UP,
        Outcome.ABANDONED,
    }
)


@dataclass(frozen=True, slots=True)
class AbandonRate:
    """One campaign's abandonment in the 30-day period containing an instant."""

    campaign: str
    abandoned: int
    answered: int
    limit: float
    warn_at: float
    period_start: datetime
    period_end: datetime
    epoch: date | None
    epoch_source: str

    @property
    def rate(self) -> float:
        return self.abandoned / self.answered if self.answered else 0.0

    @property
    def over(self) -> bool:
        """Over the limit: calls for the campaign stop until it falls back."""
        return self.answered > 0 and self.abandoned > _calls(self.limit * self.answered)

    @property
    def warning(self) -> bool:
        """At or above ``warn_at`` of the limit: time to slow the dialer down."""
        return self.answered > 0 and self.abandoned >= _calls(
            self.warn_at * self.limit * self.answered
        )

    @property
    def state(self) -> str:
        return "over" if self.over else "warning" if self.warning else "ok"

    def reason(self) -> Reason:
        """ABANDON_RATE: lapses at the end of the period at the latest."""
        return Reason(
            ReasonCode.ABANDON_RATE,
            f"campaign {self.campaign!r} abandoned {self.abandoned} of {self.answered} calls "
            f"answered by a person ({self.rate:.1%}) in the 30-day period "
            f"{self.period_start.date().isoformat()} to {self.period_end.date().isoformat()}; "
            f"the limit is {self.limit:.1%} ({SOURCE})",
            until=self.period_end,
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "abandoned": self.abandoned,
            "answered": self.answered,
            "rate": round(self.rate, 6),
            "limit": self.limit,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "epoch": self.epoch.isoformat() if self.epoch else None,
            "epoch_source": self.epoch_source,
            "warn_at": self.warn_at,
            "state": self.state,
        }


def _calls(share_of_answered: float) -> float:
    # 0.8 * 0.05 * 25 is 1.0000000000000002 in binary: a count of calls it is not.
    return round(share_of_answered, 9)


def period(epoch: date | None, at: datetime) -> tuple[datetime, datetime]:
    """The 30-day period containing ``at`` counted from ``epoch`` (UTC days);
    without an epoch (nothing answered yet), the one starting on ``at``'s day."""
    day = at.astimezone(UTC).date()
    start = day if epoch is None else epoch + PERIOD * ((day - epoch) // PERIOD)
    begins = datetime.combine(start, time(0), UTC)
    return begins, begins + PERIOD


def running_totals(
    epoch: date | None, counts: Mapping[date, tuple[int, int]], days: Sequence[date]
) -> list[tuple[date, int, int]]:
    """(day, answered, abandoned) for each of ``days``: the totals of its 30-day
    period from the period's first day up to and including that day."""
    found = []
    for day in days:
        start = period(epoch, datetime.combine(day, time(12), UTC))[0].date()
        answered = abandoned = 0
        for offset in range((day - start).days + 1):
            got = counts.get(start + timedelta(days=offset))
            if got is not None:
                answered += got[0]
                abandoned += got[1]
        found.append((day, answered, abandoned))
    return found
