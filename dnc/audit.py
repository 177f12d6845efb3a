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
