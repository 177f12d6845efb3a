"""Each check or claim that relied on a consent (the evidence of its uses)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from dnc.consent_evidence import ConsentUse
from dnc.storage.schema import ConsentUseRow, table
from dnc.storage.types import as_utc

CONSENT_USE = table(ConsentUseRow)


def record(conn: Connection, uses: Iterable[tuple[int, datetime, str, str | None]]) -> int:
    """(consent id, when, via, campaign) rows, in one statement; how many."""
    values = [
        {"consent_id": cid, "used_at": at, "via": via, "campaign": campaign}
        for cid, at, via, campaign in uses
    ]
    if values:
        conn.execute(insert(CONSENT_USE), values)
    return len(values)


def of_consents(conn: Connection, ids: Sequence[int]) -> dict[int, list[ConsentUse]]:
    found: dict[int, list[ConsentUse]] = defaultdict(list)
    if not ids:
        return found
    query = (
        select(
            CONSENT_USE.c.consent_id,
            CONSENT_USE.c.used_at,
            CONSENT_USE.c.via,
            CONSENT_USE.c.campaign,
        )
        .where(CONSENT_USE.c.consent_id.in_(ids))
        .order_by(CONSENT_USE.c.used_at, CONSENT_USE.c.id)
    )
    for cid, at, via, campaign in conn.execute(query):
        found[int(cid)].append(ConsentUse(as_utc(at) or at, via, campaign))
    return found
