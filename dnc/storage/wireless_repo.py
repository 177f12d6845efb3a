"""Line types from wireless/ported-number sources (dnc.wireless) and their imports.

The check reads, in one statement, each source's data date and the number's
mark in it (``hot_query``): a probe of the primary key per source, nothing
read when no data was ever imported.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Integer, bindparam, cast, delete, func, insert, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from dnc.storage.reassigned_repo import ImportRecord, latest_in
from dnc.storage.schema import LineTypeImportRow, LineTypeNumberRow, LineTypeSourceRow, table

LINE = table(LineTypeNumberRow)
SOURCE = table(LineTypeSourceRow)
IMPORT = table(LineTypeImportRow)
CHUNK = 10_000


def hot_query() -> Any:
    """For one number (``:n``): each source's name, data date and a code for the
    number's mark, ``LINE_ROWS`` and up (nothing, wireline, wireless), shaped
    as the registries' hot rows so one statement can read both."""
    mark = (
        select(LINE.c.wireless)
        .where(LINE.c.number == bindparam("n"), LINE.c.registry_name == SOURCE.c.registry_name)
        .scalar_subquery()
    )
    # Literals written into the SQL: the hot path binds only the number.
    code = func.coalesce(
        cast(mark, Integer) + literal_column(str(LINE_ROWS + 1)), literal_column(str(LINE_ROWS))
    )
    return select(SOURCE.c.registry_name, SOURCE.c.data_as_of, code)


LINE_ROWS = 2
"""Hot rows coded from here on are line-type rows (the registries' are 0 and 1)."""


def hot_facts(rows: Sequence[Any]) -> tuple[dict[str, date], dict[str, bool]]:
    """(data as-of date per source, the sources marking the number: True wireless)."""
    sources: dict[str, date] = {}
    marks: dict[str, bool] = {}
    for name, as_of, code in rows:
        sources[name] = date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
        if code != LINE_ROWS:
            marks[name] = code == LINE_ROWS + 2
    return sources, marks


def sources(conn: Connection) -> dict[str, date]:
    query = select(SOURCE.c.registry_name, SOURCE.c.data_as_of)
    return {name: as_of for name, as_of in conn.execute(query)}  # noqa: C416 - rows, not pairs


def of_batch(conn: Connection, in_batch: Any) -> dict[int, dict[str, bool]]:
    """The marks of the numbers ``in_batch`` selects (a subquery)."""
    found: dict[int, dict[str, bool]] = defaultdict(dict)
    query = select(LINE.c.number, LINE.c.registry_name, LINE.c.wireless).where(
        LINE.c.number.in_(in_batch)
    )
    for number, name, wireless in conn.execute(query):
        found[number][name] = bool(wireless)
    return dict(found)


def marks_of(conn: Connection, number: int) -> dict[str, bool]:
    query = select(LINE.c.registry_name, LINE.c.wireless).where(LINE.c.number == number)
    return {name: bool(wireless) for name, wireless in conn.execute(query)}


def start_import(conn: Connection, values: dict[str, Any]) -> int:
    return int(conn.execute(insert(IMPORT).values(**values).returning(IMPORT.c.id)).scalar_one())


def finish_import(
    conn: Connection, import_id: int, *, read: int, added: int, size: int, data_as_of: date
) -> None:
    """Record the import's counts and make its data the source's current data."""
    conn.execute(
        IMPORT.update().where(IMPORT.c.id == import_id).values(read=read, added=added, size=size)
    )
    name = conn.execute(select(IMPORT.c.registry_name).where(IMPORT.c.id == import_id)).scalar_one()
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    row = {"registry_name": name, "data_as_of": data_as_of, "import_id": import_id}
    statement = dialect.insert(SOURCE).values(**row)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[SOURCE.c.registry_name],
            set_={"data_as_of": data_as_of, "import_id": import_id},
        )
    )


def data_as_of(conn: Connection, registry: str) -> date | None:
    query = select(SOURCE.c.data_as_of).where(SOURCE.c.registry_name == registry)
    found = conn.execute(query).scalar_one_or_none()
    return date.fromisoformat(found) if isinstance(found, str) else found


def clear(conn: Connection, registry: str) -> None:
    conn.execute(delete(LINE).where(LINE.c.registry_name == registry))


def add(conn: Connection, registry: str, import_id: int, rows: Iterable[tuple[int, bool]]) -> None:
    """Add line types; a number already listed takes the new one (porting changes it)."""
    values = {n: {"number": n, "wireless": w, "registry_name": registry, "import_id": import_id}
              for n, w in rows}  # fmt: skip
    if not values:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(LINE)
    statement = statement.on_conflict_do_update(
        index_elements=[LINE.c.number, LINE.c.registry_name],
        set_={"wireless": statement.excluded.wireless, "import_id": statement.excluded.import_id},
    )
    # One row per number per statement: PostgreSQL refuses to update a row twice.
    rows_once = list(values.values())
    for start in range(0, len(rows_once), CHUNK):
        conn.execute(statement, rows_once[start : start + CHUNK])


def size(conn: Connection, registry: str) -> int:
    query = select(func.count()).select_from(LINE).where(LINE.c.registry_name == registry)
    return int(conn.execute(query).scalar_one())


def latest(conn: Connection, registries: Sequence[str]) -> dict[str, ImportRecord]:
    """Each source's latest full import, with the change lists applied since."""
    return latest_in(conn, IMPORT, registries)
