"""From local day plans to exact UTC intervals, across DST changes.

A stretch of UTC time is cut where the zone's offset changes; inside each
piece local time is UTC plus a constant, so each local day's open spans map
to UTC by one subtraction. Spring-forward gaps then simply have no UTC
instants, and a fall-back hour is visited twice, once per offset, exactly as
``datetime.astimezone`` reads it. All arithmetic is in whole UTC seconds
since the epoch, because every rule boundary is a whole second.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dnc.rules.model import DAY_SECONDS, Span
from dnc.rules.spans import Interval, union

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)

PlanLookup = Callable[[date], tuple[Span, ...]]


def utc_seconds_ceil(moment: datetime) -> int:
    """Whole UTC seconds since the epoch, rounded up; exact for any aware datetime."""
    whole, rest = divmod(moment - _EPOCH, _SECOND)
    return int(whole) + (1 if rest else 0)


def utc_seconds_floor(moment: datetime) -> int:
    """Whole UTC seconds since the epoch, rounded down."""
    return int((moment - _EPOCH) // _SECOND)


def from_utc_seconds(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


def offset_at(zone: ZoneInfo, seconds: int) -> int:
    offset = (_EPOCH + timedelta(seconds=seconds)).astimezone(zone).utcoffset()
    # zoneinfo always answers for an aware instant; None would be a bug upstream.
    return int(offset.total_seconds()) if offset is not None else 0


def open_utc(zone: ZoneInfo, start: int, end: int, open_spans: PlanLookup) -> tuple[Interval, ...]:
    """The UTC seconds in ``[start, end)`` at which the zone's local plan is open.

    ``end - start`` must not exceed a day: inside one day a zone's offset
    changes at most once (true of every zone in the tz database since 1970),
    so comparing the offsets at both ends finds any change.
    """
    if end - start > DAY_SECONDS:
        raise ValueError("open_utc works on at most one day at a time")
    out: list[Interval] = []
    for piece_start, piece_end, offset in _pieces(zone, start, end):
        wall_start = piece_start + offset
        wall_end = piece_end + offset
        day_number = wall_start // DAY_SECONDS
        while day_number * DAY_SECONDS < wall_end:
            midnight = day_number * DAY_SECONDS
            for span_start, span_end in open_spans(date.fromordinal(_EPOCH_ORDINAL + day_number)):
                lo = max(midnight + span_start, wall_start)
                hi = min(midnight + span_end, wall_end)
                if lo < hi:
                    out.append((lo - offset, hi - offset))
            day_number += 1
    return union(out)


def _pieces(zone: ZoneInfo, start: int, end: int) -> list[tuple[int, int, int]]:
    first = offset_at(zone, start)
    last = offset_at(zone, end - 1)
    if first == last:
        return [(start, end, first)]
    # Bisect to the first second with the new offset.
    lo, hi = start, end - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if offset_at(zone, mid) == first:
            lo = mid
        else:
            hi = mid
    return [(start, hi, first), (hi, end, last)]
