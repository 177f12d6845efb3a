"""Keys for snapshots: the importer's digit bytes → uint64 arrays, in numpy.

``Chunk.digits`` (dnc/importing/formats.py) is E.164 digits joined by
newlines. Converting it line by line in Python would cost more than the
whole import budget, so lines are grouped by length (at most 15 groups) and
each group is read column by column: for a list of 11-digit numbers that is
eleven vectorised multiply-adds over strided views, with no copy of the text.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from dnc.snapshots.format import KEY_LIMIT

Keys = NDArray[np.uint64]
NEWLINE = 10
ZERO = 48
MAX_DIGITS = 15
_REPUNIT = [(10**n - 1) // 9 for n in range(MAX_DIGITS + 1)]


def digits_to_keys(data: bytes | bytearray | memoryview) -> Keys:
    """Newline-separated E.164 digits (a final newline optional) → uint64 keys in order.

    Raises ValueError for anything else: an empty line, a non-digit, a
    leading zero or more than 15 digits. The importer has validated its lines
    already, so this is a guard against a wrong caller, not user input.
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    if buf.size == 0:
        return np.empty(0, dtype=np.uint64)
    if buf[-1] != NEWLINE:
        # The last line has no newline: read it as if it had one.
        ends = np.flatnonzero(buf == NEWLINE)
        ends = np.append(ends, buf.size)
    else:
        ends = np.flatnonzero(buf == NEWLINE)
    lines = ends.size
    width = int(ends[0])
    if (width + 1) * lines - 1 <= buf.size <= (width + 1) * lines and _fixed_width(ends, width):
        return _fixed(buf, lines, width)
    return _varying(buf, ends)


def _fixed_width(ends: NDArray[np.intp], width: int) -> bool:
    return bool((np.diff(ends) == width + 1).all())


def _fixed(buf: NDArray[np.uint8], lines: int, width: int) -> Keys:
    if not 1 <= width <= MAX_DIGITS:
        raise ValueError(f"a line of {width} digits: E.164 numbers have 1 to {MAX_DIGITS}")
    table = np.lib.stride_tricks.as_strided(buf, shape=(lines, width), strides=(width + 1, 1))
    # One contiguous copy of the digits: checked in one pass (a byte below
    # '0' wraps round to above 9) and read by column faster than the text.
    digits = table - np.uint8(ZERO)
    if int(digits.max()) > 9:
        raise ValueError("a line holds something other than digits")
    if not digits[:, 0].all():
        raise ValueError("a line starts with 0: not E.164 digits")
    keys = np.zeros(lines, dtype=np.uint64)
    for column in range(width):
        keys *= np.uint64(10)
        keys += digits[:, column]
    return keys


def _varying(buf: NDArray[np.uint8], ends: NDArray[np.intp]) -> Keys:
    starts = np.empty_like(ends)
    starts[0] = 0
    starts[1:] = ends[:-1] + 1
    lengths = ends - starts
    if lengths.min() < 1:
        raise ValueError("an empty line: expected E.164 digits on every line")
    if lengths.max() > MAX_DIGITS:
        raise ValueError(f"a line of {int(lengths.max())} digits: E.164 has at most {MAX_DIGITS}")
    digit = (buf - np.uint8(ZERO)) <= 9
    if int(np.count_nonzero(~digit)) != ends.size - (buf[-1] != NEWLINE):
        raise ValueError("a line holds something other than digits")
    if (buf[starts] == ZERO).any():
        raise ValueError("a line starts with 0: not E.164 digits")
    keys = np.empty(ends.size, dtype=np.uint64)
    for width in np.unique(lengths).tolist():
        chosen = np.flatnonzero(lengths == width)
        first = starts[chosen]
        value = np.zeros(chosen.size, dtype=np.uint64)
        for column in range(width):
            value *= np.uint64(10)
            value += buf[first + column]
        value -= np.uint64(ZERO * _REPUNIT[width])
        keys[chosen] = value
    return keys


def as_keys(values: Any) -> Keys:
    """Any integer array-like → uint64 keys, each checked to be 1 to 15 digits."""
    if isinstance(values, bytes | bytearray | memoryview):
        return digits_to_keys(values)
    array = np.asarray(values)
    if array.size == 0:
        return np.empty(0, dtype=np.uint64)
    if array.dtype.kind not in "iu":
        raise ValueError(f"snapshot keys must be integers, not {array.dtype}")
    if array.dtype.kind == "i" and int(array.min()) < 1:
        raise ValueError(f"snapshot key {int(array.min())} is not an E.164 number")
    keys = array.astype(np.uint64, copy=False).ravel()
    if int(keys.min()) < 1 or int(keys.max()) >= KEY_LIMIT:
        bad = int(keys.min()) if int(keys.min()) < 1 else int(keys.max())
        raise ValueError(f"snapshot key {bad} is not an E.164 number (1 to 15 digits)")
    return keys
