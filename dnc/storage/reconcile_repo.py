"""Does the state agree with the audit log? Set-based comparisons of the list
entries, prefix blocks and consents in force with what the log says is.

Each write path audits the thing it wrote with its id (``after.id``); an
add is in force until its removal (or revocation) is logged. Two queries
per kind, whatever the size: what the log says is in force and the table
lacks, and what is in force in the table with no record putting it there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    table: str
    column: str
    ended: str
    adds: tuple[str, ...]
    ends: tuple[str, ...]


KINDS = (
    Kind(
        "list entry",
        "list_entry",
        "number",
        "removed_at",
        ("opt_out", "list_add", "list_import"),
        ("list_remove",),
    ),
    Kind(
        "prefix block", "prefix_block", "prefix", "removed_at", ("prefix_add",), ("prefix_remove",)
    ),
    Kind("consent", "consent", "number", "revoked_at", ("consent_add",), ("consent_revoke",)),
)


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One thing the log and the tables disagree on."""

    kind: str
    id: int | None
    number: str | None
    problem: str

    def __str__(self) -> str:
        number = f" {self.number}" if self.number else ""
        return f"{self.kind} {self.id}{number}: {self.problem}"


def _logged(conn: Connection, kind: Kind) -> str:
    if conn.dialect.name == "postgresql":
        ident = """CAST(CAST("after" AS json) ->> 'id' AS BIGINT)"""
    else:
        ident = """CAST(json_extract("after", '$.id') AS INTEGER)"""
    adds = ", ".join(f"'{a}'" for a in kind.adds)
    ends = ", ".join(f"'{a}'" for a in kind.ends)
    return (
        f"SELECT {ident} AS id, MAX(number) AS number,"
        f" SUM(CASE WHEN action IN ({adds}) THEN 1 ELSE 0 END) AS adds,"
        f" SUM(CASE WHEN action IN ({ends}) THEN 1 ELSE 0 END) AS ends"
        f" FROM audit_log WHERE action IN ({adds}, {ends}) GROUP BY {ident}"
    )


def disagreements(conn: Connection, limit: int) -> list[Disagreement]:
    """Up to ``limit`` disagreements of each kind, in id order."""
    found: list[Disagreement] = []
    for kind in KINDS:
        logged = _logged(conn, kind)
        t = kind.table
        stored = f"'+' || CAST(t.{kind.column} AS TEXT)"
        missing = conn.execute(
            text(
                f"WITH logged AS ({logged}) "
                f"SELECT l.id, l.number, t.id, t.{kind.ended}, {stored} FROM logged l"
                f" LEFT JOIN {t} t ON t.id = l.id"
                f" WHERE l.adds > l.ends AND (t.id IS NULL OR t.{kind.ended} IS NOT NULL"
                f" OR {stored} <> l.number) ORDER BY l.id LIMIT :limit"
            ),
            {"limit": limit},
        )
        for ident, number, row_id, ended, now in missing:
            if row_id is None:
                problem = "in force by the audit log, but its row is gone (deleted)"
            elif ended is not None:
                problem = "in force by the audit log, but ended in its table with no record of it"
            else:
                problem = f"the audit log records {number}, its table now holds {now}"
            found.append(Disagreement(kind.name, ident, number, problem))
        unrecorded = conn.execute(
            text(
                f"WITH logged AS ({logged}) "
                f"SELECT t.id, {stored}, l.id FROM {t} t LEFT JOIN logged l ON l.id = t.id"
                f" WHERE t.{kind.ended} IS NULL AND (l.id IS NULL OR l.adds <= l.ends)"
                f" ORDER BY t.id LIMIT :limit"
            ),
            {"limit": limit},
        )
        for ident, number, logged_id in unrecorded:
            problem = (
                "in force in its table with no audit record adding it"
                if logged_id is None
                else "in force in its table, but the audit log records its end"
            )
            found.append(Disagreement(kind.name, ident, number, problem))
    return found
