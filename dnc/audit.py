"""Audit records: who changed what, when, from what to what. Pure domain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
"""The previous-hash of the first record."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One change. ``before``/``after`` are JSON-ready snapshots of the thing changed."""

    at: datetime
    actor: str
    action: str
    number: str | None = None
    subject: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reason: str | None = None
    id: int | None = None
    prev_hash: str | None = None
    hash: str | None = None

    def canonical(self) -> str:
        """The record's content as canonical JSON: what its hash covers."""
        return json.dumps(
            {
                "at": self.at.astimezone(UTC).isoformat(timespec="microseconds"),
                "actor": self.actor,
                "action": self.action,
                "number": self.number,
                "subject": self.subject,
                "before": self.before,
                "after": self.after,
                "reason": self.reason,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            default=str,
        )


def chain_hash(prev_hash: str, record: AuditRecord) -> str:
    """SHA-256 over the previous record's hash and this record's content.

    Each record commits to every record before it, so altering, deleting or
    reordering any row breaks every hash after it.
    """
    return hashlib.sha256(f"{prev_hash}\n{record.canonical()}".encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Anchor:
    """The chain's head written outside the database: ``records`` records,
    the last of which hashes to ``head``, as of ``at``."""

    at: datetime
    records: int
    head: str
    database: str = ""

    def to_line(self) -> str:
        return json.dumps(
            {
                "at": self.at.astimezone(UTC).isoformat(),
                "records": self.records,
                "head": self.head,
                "database": self.database,
            },
            sort_keys=True,
        )

    @classmethod
    def from_line(cls, line: str) -> Anchor | None:
        """The anchor a line holds, or None for a line that is not one."""
        try:
            data = json.loads(line)
            at = datetime.fromisoformat(data["at"])
            records, head = data["records"], data["head"]
        except (ValueError, KeyError, TypeError):
            return None
        if not isinstance(records, int) or records < 0 or not isinstance(head, str):
            return None
        if at.tzinfo is None:
            return None
        return cls(at, records, head, str(data.get("database", "")))


@dataclass(frozen=True, slots=True)
class AnchorCheck:
    """The chain held against its anchors: ``lost`` records anchored before
    are missing or no longer as anchored; ``problem`` says how."""

    anchor: Anchor
    lost: int = 0
    problem: str | None = None


def check_anchors(anchors: list[Anchor], records: int, at_positions: dict[int, str]) -> AnchorCheck:
    """Hold the chain (``records`` long, the hash found at each anchored
    position) against ``anchors`` (oldest first; the last is the latest).

    A cut tail leaves fewer records than anchored; a rewrite (an edit with
    every later hash recomputed) leaves the anchored hash off its position.
    The count lost is against the newest anchor the chain still matches.
    """
    latest = anchors[-1]
    stamp = latest.at.isoformat(timespec="seconds")
    if records < latest.records:
        lost = latest.records - records
        return AnchorCheck(
            latest,
            lost,
            f"{lost} records lost: the log holds {records}, the anchor of {stamp} "
            f"recorded {latest.records} (records were cut off the end)",
        )
    if at_positions.get(latest.records, GENESIS if latest.records == 0 else None) == latest.head:
        return AnchorCheck(latest)
    kept = next(
        (
            a
            for a in reversed(anchors[:-1])
            if a.records <= records
            and at_positions.get(a.records, GENESIS if a.records == 0 else None) == a.head
        ),
        None,
    )
    since = kept.records if kept is not None else 0
    lost = latest.records - since
    matched = (
        f"the chain still matches the anchor of {kept.at.isoformat(timespec='seconds')} "
        f"({kept.records} records)"
        if kept is not None
        else "no earlier anchor matches"
    )
    return AnchorCheck(
        latest,
        lost,
        f"{lost} records lost: record {latest.records} no longer has the hash anchored on "
        f"{stamp} (records were altered and the chain recomputed); {matched}",
    )
