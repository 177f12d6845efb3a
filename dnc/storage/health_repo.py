"""The store's health: its integrity checked by the database itself, and the
result kept in ``storage_health`` for every check to read (cheaply, cached).

SQLite: ``PRAGMA integrity_check``, not ``quick_check``, which does not
compare an index with its table (an index whose leaf pages were overwritten
passes it). PostgreSQL: amcheck's ``bt_index_check`` on every B-tree index
of the schema, when the extension is installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from dnc.errors import one_line
from dnc.storage.schema import StorageHealthRow, table
from dnc.storage.types import as_utc

HEALTH = table(StorageHealthRow)
INTEGRITY = "integrity"
MAX_PROBLEMS = 20

HOT_QUERY = "SELECT ok, detail, checked_at FROM storage_health WHERE name = 'integrity'"
"""What the hot path reads, on its own connection, once per ``health_ttl``."""


@dataclass(frozen=True, slots=True)
class Integrity:
    """What an integrity check found: ``problems`` empty when sound; ``method``
    says how it was checked; ``unchecked`` what could not be (no amcheck)."""

    method: str
    problems: list[str]
    unchecked: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class Health:
    ok: bool
    checked_at: datetime
    detail: str | None


def check_integrity(conn: Connection) -> Integrity:
    if conn.dialect.name == "postgresql":
        return _amcheck(conn)
    try:
        rows = conn.exec_driver_sql("PRAGMA integrity_check").fetchall()
    except DBAPIError as exc:  # a file too damaged to walk
        return Integrity("sqlite integrity_check", [one_line(exc.orig or exc)])
    found = [str(r[0]) for r in rows if str(r[0]) != "ok"]
    return Integrity("sqlite integrity_check", found[:MAX_PROBLEMS])


def _amcheck(conn: Connection) -> Integrity:
    installed = conn.execute(
        text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'amcheck'")
    ).scalar()
    if installed is None:
        return Integrity(
            "postgresql",
            [],
            "amcheck is not installed in this database (CREATE EXTENSION amcheck, as a "
            "superuser): indexes were not checked",
        )
    indexes = conn.execute(
        text(
            "SELECT c.oid, c.relname FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_am a ON a.oid = c.relam"
            " WHERE a.amname = 'btree' AND c.relpersistence <> 't'"
            " AND c.relnamespace = to_regnamespace(current_schema())::oid"
            " ORDER BY c.relname"
        )
    ).all()
    problems: list[str] = []
    function = f'"{installed}".bt_index_check'
    for oid, name in indexes:
        try:
            with conn.begin_nested():
                conn.execute(text(f"SELECT {function}(CAST(:oid AS regclass), true)"), {"oid": oid})
        except DBAPIError as exc:
            problems.append(f"index {name}: {one_line(exc.orig or exc)}")
            if len(problems) >= MAX_PROBLEMS:
                break
    return Integrity(f"postgresql amcheck bt_index_check ({len(indexes)} indexes)", problems)


def record(conn: Connection, ok: bool, at: datetime, detail: str | None) -> None:
    values = {"ok": ok, "checked_at": at, "detail": detail}
    changed = conn.execute(
        update(HEALTH).where(HEALTH.c.name == INTEGRITY).values(**values)
    ).rowcount
    if not changed:
        conn.execute(HEALTH.insert().values(name=INTEGRITY, **values))


def read(conn: Connection) -> Health | None:
    row = conn.execute(
        select(HEALTH.c.ok, HEALTH.c.checked_at, HEALTH.c.detail).where(HEALTH.c.name == INTEGRITY)
    ).first()
    if row is None:
        return None
    return Health(bool(row[0]), as_utc(row[1]) or row[1], row[2])


def failure(ok: object, detail: object, checked_at: object) -> str | None:
    """What a failed health row says, as a check's detail; None when healthy."""
    if ok is None or bool(ok):
        return None
    try:
        when = as_utc(checked_at)
    except (TypeError, ValueError):
        when = None
    stamp = when.isoformat(timespec="seconds") if when else str(checked_at)
    return (
        f"the storage integrity check of {stamp} failed ({detail}); run `dnc doctor` once repaired"
    )
