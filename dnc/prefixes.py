"""Prefix blocks: every number under an E.164 prefix (area code, exchange). Pure domain.

A prefix is kept as its E.164 digits in an integer, like a number: E.164
digits never start with 0, so the integer loses nothing. A check looks up
every prefix of the number at once (``prefixes_of``) in one indexed query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers

from dnc.errors import InputError
from dnc.lists import Listed
from dnc.moments import minute
from dnc.verdicts import Reason, ReasonCode

MAX_DIGITS = 15
_SEPARATORS = re.compile(r"[\s().-]")


@dataclass(frozen=True, slots=True)
class PrefixBlock(Listed):
    """Every number starting with ``prefix`` (E.164, with '+') is blocked."""

    id: int
    prefix: str
    campaign: str | None
    created_at: datetime
    actor: str
    note: str | None = None
    expires_at: datetime | None = None
    removed_at: datetime | None = None
    removed_by: str | None = None
    removed_reason: str | None = None


def parse_prefix(text: str) -> int:
    """``+1 201-555`` → 1201555. Raises InputError naming the input."""
    if not isinstance(text, str):
        raise InputError(f"prefix {text!r} is not text")
    compact = _SEPARATORS.sub("", text.strip())
    digits = compact[1:] if compact.startswith("+") else ""
    if not (digits.isascii() and digits.isdigit()) or len(digits) > MAX_DIGITS or digits[0] == "0":
        raise InputError(f"prefix {text!r} is not an E.164 prefix like +1201 or +1201555")
    if not any(
        int(digits[:size]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE for size in (1, 2, 3)
    ):
        raise InputError(f"prefix {text!r} does not start with a country calling code")
    return int(digits)


def prefixes_of(key: int) -> tuple[int, ...]:
    """Every prefix of a number's E.164 digits, the number itself included, longest first."""
    found = []
    while key:
        found.append(key)
        key //= 10
    return tuple(found)


def number_ranges(prefix: int) -> list[tuple[int, int]]:
    """The stored numbers under a prefix, as (lo, hi) ranges: one for each
    length an E.164 number can have."""
    width = len(str(prefix))
    ranges = []
    for length in range(width, MAX_DIGITS + 1):
        scale = 10 ** (length - width)
        ranges.append((prefix * scale, (prefix + 1) * scale - 1))
    return ranges


def prefix_reasons(
    blocks: Iterable[PrefixBlock], campaign: str | None, at: datetime
) -> list[Reason]:
    """DNC_PREFIX reasons for the blocks that cover this call."""
    reasons = []
    for block in blocks:
        if not block.blocks(campaign, at):
            continue
        where = "" if block.campaign is None else f" of campaign {block.campaign!r}"
        note = f" ({block.note})" if block.note else ""
        expiry = f", until {minute(block.expires_at)}" if block.expires_at else ""
        reasons.append(
            Reason(
                ReasonCode.DNC_PREFIX,
                f"under blocked prefix {block.prefix}{where} since "
                f"{block.created_at.date().isoformat()}, added by {block.actor}{note}{expiry}",
                until=block.expires_at,
            )
        )
    return reasons


def block_snapshot(block: PrefixBlock) -> dict[str, Any]:
    """A prefix block as the audit trail records it."""
    return {
        "id": block.id,
        "prefix": block.prefix,
        "list": block.list_name,
        "created_at": block.created_at.isoformat(),
        "expires_at": block.expires_at.isoformat() if block.expires_at else None,
        "note": block.note,
        "removed_at": block.removed_at.isoformat() if block.removed_at else None,
    }
