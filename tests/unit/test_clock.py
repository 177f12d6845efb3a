"""Time is an input: the wall clock is read in one place, dnc/clock.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

import dnc

ROOT = Path(__file__).resolve().parents[2]
WALL_CLOCK = re.compile(r"datetime\.(now|utcnow|today)\(|date\.today\(|time\.time\(")


def test_only_the_clock_module_reads_the_wall_clock() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for folder in ("dnc", "cli", "jobs")
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
