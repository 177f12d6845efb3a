"""Durations as shown to people: never negative, never ``-0.0``.

Two stamps from clocks a little apart (a job's start and end written by
different processes, a fixed test clock) can make a tiny negative span;
rounded, it would print as ``-0.0``.
"""

from __future__ import annotations


def seconds(value: float | None, digits: int = 3) -> float:
    """``value`` seconds rounded to ``digits``, clamped at zero; ``+ 0.0``
    turns a negative zero into a positive one."""
    if value is None or value != value or value < 0:  # None, NaN, negative
        return 0.0
    return round(value, digits) + 0.0
