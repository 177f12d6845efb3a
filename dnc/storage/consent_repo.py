"""Consents and calling preferences in the database."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time
from typing import Any

from sqlalchemy import Select, bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection

from dnc.consent import ConsentKind, ConsentRecord
from dnc.preferences import format_days, parse_days
from dnc.rules import Preference
from dnc.storage.lists_repo import chunked
from dnc.storage.schema import ConsentRow, PreferenceRow, table
from dnc.storage.types import as_utc

CONSENT = table(ConsentRow)
PREFERENCE = table(PreferenceRow)

CONSENT_COLUMNS = (
    CONSENT.c.id,
    CONSENT.c.number,
    CONSENT.c.campaign,
    CONSENT.c.brand,
    CONSENT.c.kind,
    CONSENT.c.granted_at,
    CONSENT.c.expires_at,
    CONSENT.c.evidence,
    CONSENT.c.actor,
    CONSENT.c.revoked_at,
    CONSENT.c.revoked_by,
    CONSENT.c.revoked_reason,
)
PREFERENCE_COLUMNS = (PREFERENCE.c.not_before, PREFERENCE.c.not_after, PREFERENCE.c.days)


def consent_from_row(row: Sequence[Any]) -> ConsentRecord:
    granted = as_utc(row[5])
    if granted is None:
        raise ValueError(f"consent {row[0]} has no granted_at")
    return ConsentRecord(
        id=row[0],
        number=f"+{row[1]}",
        campaign=row[2],
        brand=row[3],
        kind=ConsentKind(row[4]),
        granted_at=granted,
        expires_at=as_utc(row[6]),
        evidence=row[7],
        actor=row[8],
        revoked_at=as_utc(row[9]),
        revoked_by=row[10],
        revoked_reason=row[11],
    )


def preference_from_row(row: Sequence[Any]) -> Preference:
    return Preference(
        not_before=time.fromisoformat(row[0]) if row[0] else None,
        not_after=time.fromisoformat(row[1]) if row[1] else None,
        days=parse_days(row[2]) if row[2] else None,
    )


def insert_consent(conn: Connection, values: dict[str, Any]) -> ConsentRecord:
    consent_id = conn.execute(insert(CONSENT).values(**values).returning(CONSENT.c.id)).scalar_one()
    return consent_from_row(
        conn.execute(select(*CONSENT_COLUMNS).where(CONSENT.c.id == consent_id)).one()
    )


def consents(conn: Connection, number: int, *, live_only: bool = True) -> list[ConsentRecord]:
    query = select(*CONSENT_COLUMNS).where(CONSENT.c.number == number).order_by(CONSENT.c.id)
    if live_only:
        query = query.where(CONSENT.c.revoked_at.is_(None))
    return [consent_from_row(row) for row in conn.execute(query)]


def revoke(
    conn: Connection, ids: Sequence[int], *, at: datetime, actor: str, reason: str | None
) -> list[ConsentRecord]:
    conn.execute(
        update(CONSENT)
        .where(CONSENT.c.id.in_(ids), CONSENT.c.revoked_at.is_(None))
        .values(revoked_at=at, revoked_by=actor, revoked_reason=reason)
    )
    rows = conn.execute(
        select(*CONSENT_COLUMNS).where(CONSENT.c.id.in_(ids)).order_by(CONSENT.c.id)
    )
    return [consent_from_row(row) for row in rows]


def preference(conn: Connection, number: int) -> Preference | None:
    row = conn.execute(select(*PREFERENCE_COLUMNS).where(PREFERENCE.c.number == number)).first()
    return None if row is None else preference_from_row(row)


def preferences_of(conn: Connection, numbers: Iterable[int]) -> dict[int, Preference]:
    """The stored wishes of each number that has any (numbers read in chunks)."""
    found: dict[int, Preference] = {}
    for chunk in chunked(sorted(set(numbers))):
        query = select(PREFERENCE.c.number, *PREFERENCE_COLUMNS).where(
            PREFERENCE.c.number.in_(chunk)
        )
        for row in conn.execute(query):
            found[row[0]] = preference_from_row(row[1:])
    return found


def set_preference(
    conn: Connection, number: int, pref: Preference | None, *, at: datetime, actor: str
) -> None:
    set_preferences(conn, [(number, pref, actor)], at=at)


def set_preferences(
    conn: Connection, prefs: Sequence[tuple[int, Preference | None, str]], *, at: datetime
) -> None:
    """Replace (None: clear) the wishes of numbers, set-based; a number given
    twice keeps the last."""
    final = {number: (pref, actor) for number, pref, actor in prefs}
    for chunk in chunked(sorted(final)):
        conn.execute(delete(PREFERENCE).where(PREFERENCE.c.number.in_(chunk)))
    rows = [
        {
            "number": number,
            "not_before": pref.not_before.strftime("%H:%M") if pref.not_before else None,
            "not_after": pref.not_after.strftime("%H:%M") if pref.not_after else None,
            "days": format_days(pref.days),
            "updated_at": at,
            "actor": actor,
        }
        for number, (pref, actor) in final.items()
        if pref is not None
    ]
    if rows:
        conn.execute(insert(PREFERENCE), rows)


def hot_consents_query() -> Select[Any]:
    return select(*CONSENT_COLUMNS).where(
        CONSENT.c.number == bindparam("n"), CONSENT.c.revoked_at.is_(None)
    )


def hot_preference_query() -> Select[Any]:
    return select(*PREFERENCE_COLUMNS).where(PREFERENCE.c.number == bindparam("n"))


def lapsed(conn: Connection, since: datetime, until: datetime) -> list[ConsentRecord]:
    """Consents not revoked whose expiry falls in (since, until]."""
    query = select(*CONSENT_COLUMNS).where(
        CONSENT.c.revoked_at.is_(None),
        CONSENT.c.expires_at > since,
        CONSENT.c.expires_at <= until,
    )
    return [consent_from_row(row) for row in conn.execute(query)]
