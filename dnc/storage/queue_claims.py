"""Claims: dialers take due entries, never the same one twice; a claim ends
when the dialer reports the call."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, delete, or_, select, text, update
from sqlalchemy.engine import Connection

from dnc.queue import QueueStatus
from dnc.storage.queue_repo import (
    ACTION,
    CLAIM_COLUMNS,
    DECIDED,
    DUE_FROM,
    ENTRY,
    GROUP,
    LIFECYCLE,
    VERDICT,
)


class Claimed(NamedTuple):
    """An entry just claimed for a dialer, with what its re-check needs."""

    id: int
    campaign: str
    number: int
    region: str
    zones: str
    location: str | None
    lead_id: str | None
    priority: int


def claim(
    conn: Connection,
    campaign: str,
    limit: int,
    at: datetime,
    owner: str,
    stale_before: datetime,
) -> list[Claimed]:
    """Claim up to ``limit`` due entries for ``owner``; no two callers get the same one.

    PostgreSQL: FOR UPDATE SKIP LOCKED lets concurrent dialers take different
    rows without waiting. SQLite: the write transaction (BEGIN IMMEDIATE)
    serialises claimers, so the select-then-update is atomic.
    A claim older than ``stale_before`` (a dialer that died) is due again.
    A group not decided yet (loaded since the last scrub) is due: the
    re-check after the claim decides it.
    """
    due = or_(
        ACTION.is_(None),
        ACTION == "dialable",
        and_(ACTION == "deferred", DUE_FROM <= at),
    )
    # Best first, in the order of ix_queue_entry_due: a claim reads only as
    # far as its limit (the due ones are most of a queue in calling hours).
    best_first = (ENTRY.c.priority.desc(), ENTRY.c.id)
    picks = []
    if _anything_due(conn, campaign, at):
        picks.append(
            select(ENTRY.c.id, ENTRY.c.priority)
            .select_from(DECIDED)
            .where(ENTRY.c.campaign == campaign, LIFECYCLE == "ready", due)
            .order_by(*best_first)
            .limit(limit)
        )
    picks.append(
        select(ENTRY.c.id, ENTRY.c.priority)
        .select_from(
            ENTRY.outerjoin(
                VERDICT, and_(VERDICT.c.number == ENTRY.c.number, VERDICT.c.entry_id == ENTRY.c.id)
            )
        )
        .where(
            ENTRY.c.campaign == campaign,
            LIFECYCLE == "claimed",
            ENTRY.c.claimed_at < stale_before,
            or_(VERDICT.c.action.is_(None), VERDICT.c.action != "suppressed"),
        )
        .order_by(*best_first)
        .limit(limit)
    )
    found: list[tuple[int, int]] = []
    for pick in picks:
        if conn.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True, of=ENTRY)
        found.extend((row[0], row[1]) for row in conn.execute(pick))
    ids = [i for i, _ in sorted(found, key=lambda f: (-f[1], f[0]))[:limit]]
    if not ids:
        return []
    conn.execute(
        update(ENTRY)
        .where(ENTRY.c.id.in_(ids))
        .values(status=QueueStatus.CLAIMED.value, claimed_at=at, claimed_by=owner, updated_at=at)
    )
    rows = conn.execute(
        select(*CLAIM_COLUMNS, ENTRY.c.lead_id, ENTRY.c.priority).where(ENTRY.c.id.in_(ids))
    )
    return [Claimed._make(r) for r in rows]


def _anything_due(conn: Connection, campaign: str, at: datetime) -> bool:
    """Whether any group or entry's own verdict of the campaign is due at ``at``;
    at night nothing is, and a claim need not read the queue to find that."""
    group = select(GROUP.c.id).where(
        GROUP.c.campaign == campaign,
        or_(
            GROUP.c.action.is_(None),
            GROUP.c.action == "dialable",
            and_(GROUP.c.action == "deferred", GROUP.c.not_before <= at),
        ),
    )
    # Led by the verdicts (few besides suppressions), each entry found by id.
    entry = select(ENTRY.c.id).where(
        ENTRY.c.id == VERDICT.c.entry_id,
        ENTRY.c.campaign == campaign,
        ENTRY.c.status == QueueStatus.READY.value,
    )
    own = select(VERDICT.c.entry_id).where(
        # The same term as ix_queue_verdict_open, so that index is read.
        text("queue_verdict.action <> 'suppressed'"),
        or_(
            VERDICT.c.action == "dialable",
            and_(VERDICT.c.action == "deferred", VERDICT.c.not_before <= at),
        ),
        entry.exists(),
    )
    return bool(conn.execute(select(or_(group.exists(), own.exists()))).scalar())


def finish_claimed(
    conn: Connection, number: int, campaign: str, status: QueueStatus, at: datetime
) -> None:
    """A dialer reported the call: its claimed entry is done, or ready again for a retry.

    What the entry had of its own was decided before the call; the next
    scrub or claim decides again (a suppression stays).
    """
    claimed = [
        row[0]
        for row in conn.execute(
            select(ENTRY.c.id).where(
                ENTRY.c.number == number,
                ENTRY.c.campaign == campaign,
                ENTRY.c.status == QueueStatus.CLAIMED.value,
            )
        )
    ]
    if not claimed:
        return
    conn.execute(
        update(ENTRY)
        .where(ENTRY.c.id.in_(claimed))
        .values(status=status.value, claimed_at=None, claimed_by=None, updated_at=at)
    )
    conn.execute(
        delete(VERDICT).where(
            VERDICT.c.number == number,
            VERDICT.c.entry_id.in_(claimed),
            VERDICT.c.action != "suppressed",
        )
    )


def finish_claims(
    conn: Connection, finished: Sequence[tuple[int, str, QueueStatus]], at: datetime
) -> None:
    """``finish_claimed`` for many (number, campaign, status): one read finds
    the claimed entries among them (usually few), each then finished."""
    pairs = {(number, campaign): status for number, campaign, status in reversed(finished)}
    numbers = sorted({number for number, _ in pairs})
    claimed: set[tuple[int, str]] = set()
    for start in range(0, len(numbers), 500):
        query = select(ENTRY.c.number, ENTRY.c.campaign).where(
            ENTRY.c.number.in_(numbers[start : start + 500]),
            ENTRY.c.status == QueueStatus.CLAIMED.value,
        )
        claimed.update((row[0], row[1]) for row in conn.execute(query))
    for number, campaign in sorted(claimed & pairs.keys()):
        finish_claimed(conn, number, campaign, pairs[(number, campaign)], at)
