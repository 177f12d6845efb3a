"""One write path per effect, inside the caller's unit of work.

A number that must not be called is recorded once, with its audit record,
and leaves every queue it must leave in the same transaction: whether it
came from ``opt_out``, a list add, an outcome (opt-out, wrong number, the
third refusal) or a prefix block. The callers differ only in what they say.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.engine import Connection

from dnc.audit import AuditRecord
from dnc.lists import Channel, ListEntry, NewEntry, Source, entry_snapshot, list_reasons
from dnc.prefixes import PrefixBlock, block_snapshot, number_ranges, prefix_reasons
from dnc.queue import reasons_to_json
from dnc.storage import audit_repo, lists_repo, prefix_repo, queue_repo, queue_verdicts
from dnc.storage.queue_verdicts import Suppression


def record_entries(
    conn: Connection,
    entries: Sequence[NewEntry],
    *,
    action: str,
    recorded: datetime,
    reasons: Sequence[str | None] | None = None,
    client_of: Callable[[str], str | None] | None = None,
) -> list[ListEntry]:
    """Put numbers on lists (``campaign`` None: the internal list), audit each
    as ``action`` (with its ``reasons`` item, default its note), and take each
    permanent one out of the queues it blocks: set-based, a statement per
    kind of write whatever the count. A client entry leaves the queues of the
    campaigns ``client_of`` (configuration) says are that client's."""
    stored = lists_repo.insert_entries(conn, entries, recorded)
    why = reasons if reasons is not None else [e.note for e in entries]
    audit_repo.append_many(
        conn,
        [
            AuditRecord(
                at=recorded,
                actor=entry.actor,
                action=action,
                number=entry.number,
                subject=entry.list_name,
                after=entry_snapshot(entry),
                reason=reason,
            )
            for entry, reason in zip(stored, why, strict=True)
        ],
    )
    # An entry that expires lets the number back later: the scrub and every
    # claim decide it then; a permanent one leaves the queues now.
    suppress_queued(
        conn,
        [
            Suppression(
                new.number,
                entry.campaign,
                reasons_to_json(list_reasons([entry], entry.campaign, recorded)),
            )
            for new, entry in zip(entries, stored, strict=True)
            if entry.expires_at is None and entry.client is None
        ],
        recorded,
    )
    clients = [
        (new, entry)
        for new, entry in zip(entries, stored, strict=True)
        if entry.expires_at is None and entry.client is not None
    ]
    if clients:
        if client_of is None:
            raise ValueError("a client entry needs the campaigns' clients to leave their queues")
        suppress_queued(conn, _client_suppressions(conn, clients, client_of, recorded), recorded)
    return stored


def _client_suppressions(
    conn: Connection,
    found: Sequence[tuple[NewEntry, ListEntry]],
    client_of: Callable[[str], str | None],
    at: datetime,
) -> list[Suppression]:
    # Client entries come one opt-out at a time, never in bulk: one read each.
    out = []
    for new, entry in found:
        for campaign in queue_repo.dialable_campaigns(conn, new.number):
            client = client_of(campaign)
            if client == entry.client:
                why = list_reasons([entry], campaign, at, client)
                out.append(Suppression(new.number, campaign, reasons_to_json(why)))
    return out


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
    client: str | None = None,
    client_of: Callable[[str], str | None] | None = None,
) -> ListEntry:
    """One number on a list, the way ``record_entries`` puts many."""
    new = NewEntry(key, campaign, source, channel, created_at, actor, note, expires_at, client)
    why = [note if reason is None else reason]
    return record_entries(
        conn, [new], action=action, recorded=recorded, reasons=why, client_of=client_of
    )[0]


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


def suppress_queued(conn: Connection, found: Sequence[Suppression], at: datetime) -> None:
    """Take numbers out of the queues they must leave (a suppression's
    ``campaign`` None: every queue), set-based."""
    queue_verdicts.suppress_numbers(conn, found, at)
