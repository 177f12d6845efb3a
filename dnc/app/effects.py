"""One write path per effect, inside the caller's unit of work.

A number that must not be called is recorded once, with its audit record,
and leaves every queue it must leave in the same transaction: whether it
came from ``opt_out``, a list add, an outcome (opt-out, wrong number, the
third refusal) or a prefix block. The callers differ only in what they say.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.engine import Connection

from dnc.audit import AuditRecord
from dnc.lists import Channel, ListEntry, Source, entry_snapshot, list_reasons
from dnc.prefixes import PrefixBlock, block_snapshot, number_ranges, prefix_reasons
from dnc.queue import reasons_to_json
from dnc.storage import audit_repo, lists_repo, prefix_repo, queue_verdicts
from dnc.verdicts import Reason


def record_entry(
    conn: Connection,
    key: int,
    *,
    campaign: str | None,
    source: Source,
    channel: Channel | None,
    created_at: datetime,
    note: str | None,
    expires_at: datetime | None,
    actor: str,
    action: str,
    recorded: datetime,
    reason: str | None = None,
) -> ListEntry:
    """Put a number on a list (``campaign`` None: the internal list), audit it
    as ``action`` (with ``reason``, default the note), and take it out of the
    queues the entry blocks."""
    entry = lists_repo.insert_entry(
        conn,
        number=key,
        campaign=campaign,
        source=source,
        channel=channel,
        created_at=created_at,
        recorded_at=recorded,
        actor=actor,
        note=note,
        expires_at=expires_at,
    )
    audit_repo.append(
        conn,
        AuditRecord(
            at=recorded,
            actor=actor,
            action=action,
            number=entry.number,
            subject=entry.list_name,
            after=entry_snapshot(entry),
            reason=note if reason is None else reason,
        ),
    )
    if entry.expires_at is None:
        # An entry that expires lets the number back later: the scrub and
        # every claim decide it then; a permanent one leaves the queues now.
        reasons = list_reasons([entry], entry.campaign, recorded)
        suppress_queued(conn, key, entry.campaign, reasons, recorded)
    return entry


def record_block(
    conn: Connection,
    prefix: int,
    *,
    campaign: str | None,
    created_at: datetime,
    note: str | None,
    expires_at: datetime | None,
    actor: str,
    recorded: datetime,
) -> PrefixBlock:
    """Block every number under ``prefix``, audit it, and take the queued
    numbers under it out of the queues it blocks (set-based: index ranges)."""
    block = prefix_repo.insert_block(
        conn,
        prefix=prefix,
        campaign=campaign,
        created_at=created_at,
        recorded_at=recorded,
        actor=actor,
        note=note,
        expires_at=expires_at,
    )
    audit_repo.append(
        conn,
        AuditRecord(
            at=recorded,
            actor=actor,
            action="prefix_add",
            number=block.prefix,
            subject=block.list_name,
            after=block_snapshot(block),
            reason=note,
        ),
    )
    if block.expires_at is None:
        reasons = prefix_reasons([block], block.campaign, created_at)
        queue_verdicts.suppress_range(
            conn, number_ranges(prefix), block.campaign, reasons_to_json(reasons), recorded
        )
    return block


def suppress_queued(
    conn: Connection, key: int, campaign: str | None, reasons: Sequence[Reason], at: datetime
) -> None:
    """Take a number out of every dialable queue (``campaign``: that one's only)."""
    queue_verdicts.suppress_number(conn, key, campaign, reasons_to_json(list(reasons)), at)
