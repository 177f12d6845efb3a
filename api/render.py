"""Library values as the JSON the CLI's ``--json`` prints, and query values parsed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dnc


def instant(value: str | None, name: str = "at") -> datetime | None:
    """ISO 8601 with an offset or Z; a naive time is refused as ambiguous (400)."""
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise dnc.InputError(
            f"{name} {value!r} is not an ISO 8601 time (e.g. 2026-11-23T14:30:00-05:00)"
        ) from None
    if parsed.tzinfo is None:
        raise dnc.InputError(f"{name} {value!r} has no UTC offset: add one, e.g. {value}Z")
    return parsed


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def entry(e: dnc.ListEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "number": e.number,
        "list": e.list_name,
        "campaign": e.campaign,
        "client": e.client,
        "source": e.source.value,
        "channel": e.channel.value if e.channel else None,
        "created_at": e.created_at.isoformat(),
        "actor": e.actor,
        "note": e.note,
        "expires_at": _iso(e.expires_at),
        "removed_at": _iso(e.removed_at),
        "removed_by": e.removed_by,
        "removed_reason": e.removed_reason,
    }


def block(b: dnc.PrefixBlock) -> dict[str, Any]:
    return {
        "id": b.id,
        "prefix": b.prefix,
        "list": b.list_name,
        "created_at": b.created_at.isoformat(),
        "actor": b.actor,
        "note": b.note,
        "expires_at": _iso(b.expires_at),
        "removed_at": _iso(b.removed_at),
        "removed_by": b.removed_by,
        "removed_reason": b.removed_reason,
    }


def outcome(e164: str, result: dnc.RecordedOutcome) -> dict[str, Any]:
    """As ``dnc outcome --json`` prints it."""
    record, after = result.record, result.after
    return {
        "number": e164,
        "id": record.id,
        "campaign": record.campaign,
        "outcome": record.outcome.value,
        "at": record.at.isoformat(),
        "refusals": record.refusals,
        "callback_at": _iso(record.callback_at),
        "state": after.to_dict(),
    }


def registry(s: dnc.RegistryStatus) -> dict[str, Any]:
    """As ``dnc registry status --json`` prints a row."""
    return s.to_dict()


def job_run(r: dnc.JobRun) -> dict[str, Any]:
    return {
        "id": r.id,
        "job": r.job,
        "trigger": r.trigger,
        "started_at": r.started_at.isoformat(),
        "finished_at": _iso(r.finished_at),
        "status": r.status,
        "counts": r.counts,
        "error": r.error,
    }
