"""Calls answered by a person and abandoned calls, per campaign and UTC day.

Kept by the outcome write path in the same transaction as the outcomes, so
a campaign's rate over a 30-day period is a sum of at most 30 rows, cheap
enough to work out for a check.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from dnc.abandonment import LIVE
from dnc.outcomes import Outcome, OutcomeRecord
from dnc.storage.schema import AbandonDayRow, table

ABANDON_DAY = table(AbandonDayRow)


def count(conn: Connection, outcomes: Iterable[OutcomeRecord]) -> set[str]:
    """Add the live-answered ``outcomes`` to their campaign's days; returns the
    campaigns whose counts changed."""
    answered: Counter[tuple[str, date]] = Counter()
    abandoned: Counter[tuple[str, date]] = Counter()
    for o in outcomes:
        if o.outcome in LIVE:
            key = (o.campaign, o.at.astimezone(UTC).date())
            answered[key] += 1
            if o.outcome is Outcome.ABANDONED:
                abandoned[key] += 1
    if not answered:
        return set()
    values = [
        {"campaign": c, "day": d, "answered": n, "abandoned": abandoned[(c, d)]}
        for (c, d), n in sorted(answered.items())
    ]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ABANDON_DAY)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[ABANDON_DAY.c.campaign, ABANDON_DAY.c.day],
            set_={
                "answered": ABANDON_DAY.c.answered + statement.excluded.answered,
                "abandoned": ABANDON_DAY.c.abandoned + statement.excluded.abandoned,
            },
        ),
        values,
    )
    return {c for c, _ in answered}


def first_answered(conn: Connection, campaign: str) -> date | None:
    query = select(func.min(ABANDON_DAY.c.day)).where(
        ABANDON_DAY.c.campaign == campaign, ABANDON_DAY.c.answered > 0
    )
    found = conn.execute(query).scalar_one_or_none()
    return date.fromisoformat(found) if isinstance(found, str) else found


def totals(conn: Connection, campaign: str, start: date, end: date) -> tuple[int, int]:
    """(answered, abandoned) on the days in [start, end)."""
    query = select(
        func.coalesce(func.sum(ABANDON_DAY.c.answered), 0),
        func.coalesce(func.sum(ABANDON_DAY.c.abandoned), 0),
    ).where(
        ABANDON_DAY.c.campaign == campaign,
        ABANDON_DAY.c.day >= start,
        ABANDON_DAY.c.day < end,
    )
    answered, abandoned = conn.execute(query).one()
    return int(answered), int(abandoned)


def campaigns(conn: Connection) -> list[str]:
    """Every campaign with a call answered by a person."""
    query = select(ABANDON_DAY.c.campaign).distinct().order_by(ABANDON_DAY.c.campaign)
    return [str(c) for c in conn.execute(query).scalars()]


def days(conn: Connection, campaign: str, start: date, end: date) -> dict[date, tuple[int, int]]:
    """(answered, abandoned) per day in [start, end]."""
    query = select(ABANDON_DAY.c.day, ABANDON_DAY.c.answered, ABANDON_DAY.c.abandoned).where(
        ABANDON_DAY.c.campaign == campaign, ABANDON_DAY.c.day >= start, ABANDON_DAY.c.day <= end
    )
    return {
        (date.fromisoformat(d) if isinstance(d, str) else d): (int(a), int(b))
        for d, a, b in conn.execute(query)
    }
