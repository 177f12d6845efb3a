"""Audit records: who changed what, when, from what to what. Pure domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


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
