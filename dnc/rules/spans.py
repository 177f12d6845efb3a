"""Half-open integer intervals: the algebra under calling windows.

Used both for seconds of a local day and for UTC seconds since the epoch.
Inputs and outputs are sorted, non-overlapping lists; touching spans merge.
"""

from __future__ import annotations

from collections.abc import Sequence

Interval = tuple[int, int]


def union(spans: Sequence[Interval]) -> tuple[Interval, ...]:
    merged: list[Interval] = []
    for start, end in sorted(spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return tuple(merged)


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> tuple[Interval, ...]:
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start = max(a[i][0], b[j][0])
        end = min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def contains(spans: Sequence[Interval], point: int) -> bool:
    return any(start <= point < end for start, end in spans)
