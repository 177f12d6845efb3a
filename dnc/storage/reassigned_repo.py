"""Permanent disconnects of numbers (reassigned-numbers data) and their imports.

The check reads a number's disconnects only beside its consents (the one
thing they can void): ``disconnects_column`` is a column of the consent
query, so a number without consents costs nothing more.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, Text, cast, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from dnc.reassigned import Disconnect
from dnc.storage.schema import ReassignedImportRow, ReassignedNumberRow, table
from dnc.storage.types import as_utc

REASSIGNED = table(ReassignedNumberRow)
IMPORT = table(ReassignedImportRow)
CHUNK = 10_000


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """The latest full import of a reassigned-numbers registry, and changes since."""

    registry: str
    as_of: date
    as_of_source: str
    file: str
    size: int
    imported_at: datetime
    changes_applied: int


class _Joined(FunctionElement[str]):
    """Texts joined with commas; its separator written into the SQL, so the
    hot path's precompiled statements keep only the number's bind parameter."""

    type = Text()
    inherit_cache = True


@compiles(_Joined, "sqlite")
def _joined_sqlite(element: _Joined, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"


@compiles(_Joined, "postgresql")
def _joined_postgresql(element: _Joined, compiler: Any, **kw: Any) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, ',')"


def disconnects_column(number: Any) -> ColumnElement[Any]:
    """Every disconnect date of ``number`` as one comma-separated text (or NULL)."""
    day = cast(REASSIGNED.c.disconnected_on, Text)
    return (
        select(_Joined(day))
        .where(REASSIGNED.c.number == number)
        .scalar_subquery()
        .label("disconnects")
    )


def parse_disconnects(text: str | None) -> tuple[date, ...]:
    if not text:
        return ()
    return tuple(sorted({date.fromisoformat(part) for part in text.split(",")}))


def of_batch(conn: Connection, with_consents: Any) -> dict[int, tuple[date, ...]]:
    """Disconnects of the numbers ``with_consents`` selects (a subquery)."""
    found: dict[int, set[date]] = defaultdict(set)
    query = select(REASSIGNED.c.number, REASSIGNED.c.disconnected_on).where(
        REASSIGNED.c.number.in_(with_consents)
    )
    for number, day in conn.execute(query):
        found[number].add(day if isinstance(day, date) else date.fromisoformat(day))
    return {number: tuple(sorted(days)) for number, days in found.items()}


def for_number(conn: Connection, number: int) -> list[Disconnect]:
    """The number's disconnects with the import each came from, oldest first."""
    query = (
        select(
            REASSIGNED.c.registry_name,
            REASSIGNED.c.disconnected_on,
            IMPORT.c.imported_at,
            IMPORT.c.file,
            IMPORT.c.actor,
        )
        .join(IMPORT, IMPORT.c.id == REASSIGNED.c.import_id)
        .where(REASSIGNED.c.number == number)
        .order_by(REASSIGNED.c.disconnected_on)
    )
    return [
        Disconnect(f"+{number}", row[0], row[1], as_utc(row[2]) or row[2], row[3], row[4])
        for row in conn.execute(query)
    ]


def start_import(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(IMPORT).values(**values).returning(IMPORT.c.id)).scalar_one())


def finish_import(conn: Connection, import_id: int, *, read: int, added: int, size: int) -> None:
    conn.execute(
        IMPORT.update().where(IMPORT.c.id == import_id).values(read=read, added=added, size=size)
    )


def clear(conn: Connection, registry: str) -> None:
    conn.execute(delete(REASSIGNED).where(REASSIGNED.c.registry_name == registry))


def add(conn: Connection, registry: str, import_id: int, rows: Iterable[tuple[int, date]]) -> None:
    """Add disconnects; one already known is kept as it is."""
    values = [
        {"number": n, "disconnected_on": d, "registry_name": registry, "import_id": import_id}
        for n, d in rows
    ]
    if not values:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(REASSIGNED).on_conflict_do_nothing()
    for start in range(0, len(values), CHUNK):
        conn.execute(statement, values[start : start + CHUNK])


def size(conn: Connection, registry: str) -> int:
    query = (
        select(func.count()).select_from(REASSIGNED).where(REASSIGNED.c.registry_name == registry)
    )
    return int(conn.execute(query).scalar_one())


def latest(conn: Connection, registries: Sequence[str]) -> dict[str, ImportRecord]:
    """Each registry's latest full import, with the change lists applied since."""
    return latest_in(conn, IMPORT, registries)


def latest_in(
    conn: Connection, imports: Table, registries: Sequence[str]
) -> dict[str, ImportRecord]:
    """Each source's latest full import in ``imports`` (a table of imports with
    this module's columns), with the change lists applied since."""
    found: dict[str, ImportRecord] = {}
    if not registries:
        return found
    rows = conn.execute(
        select(
            imports.c.registry_name,
            imports.c.kind,
            imports.c.as_of,
            imports.c.as_of_source,
            imports.c.file,
            imports.c.size,
            imports.c.imported_at,
        )
        .where(imports.c.registry_name.in_(registries))
        .order_by(imports.c.id)
    ).all()
    for name, kind, as_of, source, file, count, imported in rows:
        before = found.get(name)
        if kind == "full" or before is None:
            found[name] = ImportRecord(
                name, as_of, source, file, int(count), as_utc(imported) or imported, 0
            )
        else:
            found[name] = ImportRecord(
                name,
                max(as_of, before.as_of),
                source,
                before.file,
                int(count),
                before.imported_at,
                before.changes_applied + 1,
            )
    return found
