"""Time is an input: the wall clock is read in one place, dnc/clock.py."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

import dnc
from dnc.clock import CLOCK_SKEW, day_not_after_today, not_after_now, not_before_now

ROOT = Path(__file__).resolve().parents[2]
WALL_CLOCK = re.compile(r"datetime\.(now|utcnow|today)\(|date\.today\(|time\.time\(")


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for folder in ("dnc", "cli", "jobs", "api")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if path != ROOT / "dnc" / "clock.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if WALL_CLOCK.search(line) and not line.lstrip().startswith("#")
    ]
    assert found == []


def test_a_fixed_clock_stands_still_until_moved() -> None:
    clock = dnc.FixedClock(datetime(2026, 11, 23, 10, tzinfo=timezone(timedelta(hours=-5))))
    assert clock.now() == datetime(2026, 11, 23, 15, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert clock.advance(timedelta(minutes=5)) == datetime(2026, 11, 23, 15, 5, tzinfo=UTC)
    clock.set(datetime(2027, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2027, 1, 1, tzinfo=UTC)


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(dnc.InputError, match="timezone-aware"):
        dnc.FixedClock(datetime(2026, 11, 23, 10))


def test_the_system_clock_is_aware_utc() -> None:
    assert dnc.SystemClock().now().tzinfo is UTC


NOW = datetime(2026, 11, 23, 23, 57, tzinfo=UTC)


def test_a_time_up_to_the_clock_skew_ahead_is_not_the_future() -> None:
    assert CLOCK_SKEW == timedelta(minutes=5)
    assert not_after_now(NOW + CLOCK_SKEW, NOW, "opt-out time", "why") == NOW + CLOCK_SKEW
    assert not_after_now(NOW - timedelta(days=400), NOW, "opt-out time", "why")
    with pytest.raises(dnc.TimeRangeError, match="opt-out time .* is in the future .*: why"):
        not_after_now(NOW + CLOCK_SKEW + timedelta(seconds=1), NOW, "opt-out time", "why")


def test_a_time_more_than_the_clock_skew_behind_is_past() -> None:
    assert not_before_now(NOW - CLOCK_SKEW, NOW, "expiry", "why") == NOW - CLOCK_SKEW
    with pytest.raises(dnc.TimeRangeError, match="expiry .* is already past"):
        not_before_now(NOW - CLOCK_SKEW - timedelta(seconds=1), NOW, "expiry", "why")


def test_a_day_after_today_in_utc_is_refused_allowing_the_skew_at_midnight() -> None:
    assert day_not_after_today(date(2026, 11, 24), NOW, "as-of", "why")  # 23:57 + 5 min
    with pytest.raises(dnc.TimeRangeError, match="as-of 2026-11-24 is after today"):
        day_not_after_today(date(2026, 11, 24), NOW - timedelta(minutes=3), "as-of", "why")
    assert isinstance(dnc.TimeRangeError("a", "b", "c", "d", "e"), dnc.InputError)
