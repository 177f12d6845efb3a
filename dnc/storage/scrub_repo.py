"""The scrub's set-based reads and writes.

Every statement walks the queue in number order (the covering
``ix_queue_entry_number``), so a probe into a 250-million-number registry
table, or into the verdicts (keyed by number too), lands next to the last
one. Nothing here loops over numbers in Python.

Numbers with facts of their own (a list entry, an outcome, a consent, a
preference, a prefix block) are marked first in the temporary table
``scrub_special``, one bit per source; those entries are decided one by one.
Every other entry is decided by its group and the set of registries it is
listed on (one bit each, from ``REGISTRY_BIT`` up), which the walks work out
as they go.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection

from dnc.snapshots import Snapshot
from dnc.storage.engine import WRITE
from dnc.storage.queue_verdicts import EntryVerdict, instant, reason_ids
from dnc.storage.scrub_scope import KIND_BITS, Scope, ints
from dnc.storage.types import UTCDateTime
from dnc.storage.walk_rows import Group, GroupVerdict, OwnEntry, Pick

if TYPE_CHECKING:
    from dnc.storage.store import Store

LISTED, OUTCOME, CONSENT, PREFERENCE, PREFIX, MIXED = 1, 2, 4, 8, 16, 32
LINE_TYPE = 64  # listed in wireless/ported-number data (dnc.wireless)
OWN_FACTS = 255  # every bit below the registries'
REGISTRY_BIT = 256
# Facts that can suppress a number whatever the hour. Outcomes can too (the
# three no's) but seldom do: such a number is decided in one full pass.
MAY_SUPPRESS = LISTED | PREFIX

# Rows a scrub may write into ``queue_verdict`` before its next statement
# reading that table is planned on fresh statistics (PostgreSQL; see
# ``Walk._restat``).
STALE_AFTER = 1000

RBITS_BATCH = 200_000
# Entries read per statement by ``Walk._scope_rows``, and written per
# statement from the scope in memory (``Walk._packed``).
SCOPE_CHUNK = 1_000_000
PACKED_BATCH = 1_000_000
# SQLite's page cache for the walk's temporary tables (KiB; used as filled).
TEMP_CACHE_KIB = 1 << 20

# A packed entry's kind (``dnc.storage.scrub_scope``).
_KIND = f"k.k = j.value & {(1 << KIND_BITS) - 1}"

_TAIL = " ON CONFLICT (number) DO UPDATE SET bits = scrub_special.bits | excluded.bits"

_TEMP = {
    # Each number with facts and its bits, kept in number order: the walks
    # that fill it append, and the walks that read it probe next to the last.
    "scrub_special": "number {big} PRIMARY KEY, bits {big} NOT NULL",
    "scrub_range": "lo {big} NOT NULL, hi {big} NOT NULL",
    "scrub_pick": "group_id INTEGER NOT NULL, bits {big} NOT NULL, action VARCHAR(12) NOT NULL,"
    " not_before {stamp}, reason_id INTEGER, PRIMARY KEY (group_id, bits)",
    # Each number in scope listed on a registry, with its registry bits:
    # looked up in the snapshot files (``use_registries``).
    "scrub_rbits": "number {big} PRIMARY KEY, bits {big} NOT NULL",
    # The export's: each live entry listed on registries and nothing else known.
    "scrub_listed": "entry_id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, bits {big} NOT NULL",
    # What this run decided for each entry (``record_dispositions``), and the
    # reason codes of the verdicts and groups it wrote.
    "scrub_now": "entry_id INTEGER PRIMARY KEY, campaign VARCHAR(100) NOT NULL,"
    " action VARCHAR(12) NOT NULL, codes VARCHAR(400) NOT NULL",
    # PostgreSQL's: the entries whose disposition this run opens, found in full
    # before any is written (``record_dispositions``).
    "scrub_opened": "entry_id INTEGER PRIMARY KEY, campaign VARCHAR(100) NOT NULL,"
    " action VARCHAR(12) NOT NULL, codes VARCHAR(400) NOT NULL",
    "scrub_codes": "reason_id INTEGER PRIMARY KEY, codes VARCHAR(400) NOT NULL",
    "scrub_group_codes": "group_id INTEGER PRIMARY KEY, codes VARCHAR(400) NOT NULL",
    # PostgreSQL's: verdicts worked out in full before any is written (``_verdicts``).
    "scrub_verdict": "number {big} NOT NULL, entry_id INTEGER NOT NULL,"
    " action VARCHAR(12) NOT NULL, not_before {stamp}, reason_id INTEGER, decided_at {stamp}",
    # SQLite's, when the writes follow from the scope in memory: what was
    # decided, each numbered (``dnc.storage.scrub_scope``).
    # Numbers by position in the array written beside them (``_write_picks``).
    "scrub_pos": "pos INTEGER PRIMARY KEY, number {big} NOT NULL",
    "scrub_kind": "k INTEGER PRIMARY KEY, campaign VARCHAR(100), action VARCHAR(12) NOT NULL,"
    " not_before {stamp}, reason_id INTEGER, codes VARCHAR(400)",
}


@dataclass(frozen=True, slots=True)
class Source:
    """A table whose live rows are facts about a number."""

    table: str
    bit: int
    live: str = "1 = 1"


SOURCES = (
    Source("list_entry", LISTED, "s.removed_at IS NULL"),
    Source("call_outcome", OUTCOME),
    Source("consent", CONSENT, "s.revoked_at IS NULL"),
    Source("preference", PREFERENCE),
    Source("line_type_number", LINE_TYPE),
)


@contextmanager
def walking(store: Store, campaign: str | None, *, snapshot: bool = False) -> Iterator[Walk]:
    """A walk on a connection of its own, in a read transaction (``snapshot``:
    one snapshot for every statement on PostgreSQL too, as SQLite's read
    transaction has). Whatever happens, the transaction ends and the walk's
    temporary tables go."""
    with store.connect() as conn:
        if snapshot and conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        conn.begin()
        walk = Walk(conn, campaign)
        try:
            yield walk
        finally:
            if conn.in_transaction():
                conn.rollback()
            conn.execution_options(dnc_write=False)
            with conn.begin():
                walk.close()


class Walk:
    """One scrub's temporary tables and statements on one connection."""

    def __init__(self, conn: Connection, campaign: str | None) -> None:
        self.conn = conn
        self.sqlite = conn.dialect.name == "sqlite"
        self.campaign = campaign
        # SQLite plans joins left to right when told CROSS JOIN; PostgreSQL
        # reads it as a plain join (with the condition in WHERE) and plans it.
        self.by_number = "INDEXED BY ix_queue_entry_number" if self.sqlite else ""
        self.scope = "q.status = 'ready'" + (
            " AND q.campaign = :campaign" if campaign is not None else ""
        )
        self.params: dict[str, Any] = {"campaign": campaign} if campaign is not None else {}
        # PostgreSQL refuses to upsert one row twice in a statement (a number
        # queued in two campaigns, listed twice); SQLite just ORs the bits again.
        self.add = "INSERT INTO scrub_special (number, bits) SELECT " + (
            "" if self.sqlite else "DISTINCT "
        )
        self._joined = False
        # Listed numbers not yet in ``scrub_rbits`` (SQLite fills it when a
        # statement first joins it: the scrub seldom needs it).
        self._pending: tuple[NDArray[np.uint64], NDArray[np.int64]] | None = None
        self._scope: Scope | None = None
        # Rows written into queue_verdict since it was last analyzed.
        self._unanalyzed = 0
        if not self.sqlite:
            # A queue loaded since autovacuum last looked would be planned
            # from old counts (a full-table hash where a probe would do).
            conn.exec_driver_sql("ANALYZE queue_entry, queue_verdict, queue_group")
        if self.sqlite:
            # The temporary tables hold a row per entry: in memory, not in a
            # temporary file behind the default 2 MiB cache.
            conn.exec_driver_sql(f"PRAGMA temp.cache_size=-{TEMP_CACHE_KIB}")
        big = "INTEGER" if self.sqlite else "BIGINT"
        stamp = "TEXT" if self.sqlite else "TIMESTAMP WITH TIME ZONE"
        for name, columns in _TEMP.items():
            cols = columns.format(big=big, stamp=stamp)
            rowid = " WITHOUT ROWID" if self.sqlite and "PRIMARY KEY" in cols else ""
            conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({cols}){rowid}")
            conn.exec_driver_sql(f"DELETE FROM {name}")
        # The highest entry id this walk sees, read before anything else: a
        # group decided by it covers its members up to here, and no further
        # (an entry loaded while the scrub runs is not what it decided).
        self.through = int(
            conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM queue_entry").scalar_one()
        )
        # SQLite: the read transaction's version of the database (another
        # connection's commit changes it), and whether the write transaction
        # found the same (``begin_writing``): then the writes follow from the
        # scope in memory.
        self._version = (
            int(conn.exec_driver_sql("PRAGMA data_version").scalar_one()) if self.sqlite else None
        )
        self._exact = False
        self._campaigns: dict[int, str] = {}
        self._picks: list[Pick] = []

    def close(self) -> None:
        for name in _TEMP:
            self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
        if self.sqlite:
            self.conn.exec_driver_sql("PRAGMA temp.cache_size=-2000")

    def end_reading(self) -> None:
        """Commit the read transaction: what was decided is in memory now."""
        self.conn.commit()

    def begin_writing(self, at: datetime | None = None) -> None:
        """Start the one write transaction (on SQLite: BEGIN IMMEDIATE) of a
        run deciding at ``at``."""
        self.conn.execution_options(**WRITE)
        self.conn.begin()
        self._exact = at is not None and self._unchanged(at)

    def _unchanged(self, at: datetime) -> bool:
        """SQLite: whether the write transaction sees the database exactly as
        the read transaction did, so that what the scope in memory says of
        each entry is what the SQL would find now."""
        if self._version is None or self._scope is None or self._scope.plain is None:
            return False
        if int(self.conn.exec_driver_sql("PRAGMA data_version").scalar_one()) != self._version:
            return False
        # A suppression decided at this very instant (the same run again)
        # counts as this run's in ``record_dispositions``: the SQL sorts it out.
        again = self.conn.execute(
            text(
                "SELECT EXISTS (SELECT 1 FROM queue_verdict"
                " WHERE action = 'suppressed' AND decided_at = :at)"
            ).bindparams(bindparam("at", type_=UTCDateTime)),
            {"at": at},
        ).scalar_one()
        return not again

    def commit(self) -> None:
        self.conn.commit()

    def _run(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.conn.execute(text(sql), {**self.params, **(params or {})})

    def wrote(self, rows: int) -> None:
        """Note ``rows`` written into ``queue_verdict`` in this walk."""
        self._unanalyzed += max(rows, 0)

    def _restat(self) -> None:
        """Analyze ``queue_verdict`` again once this walk has written many rows
        into it. PostgreSQL plans from the statistics the walk took before
        writing: on a first night they say the table is empty, and the next
        statement's anti-join against it becomes a sequential scan of the
        rows just written, once for every entry it decides (quadratic)."""
        if self.sqlite or self._unanalyzed <= STALE_AFTER:
            return
        self.conn.exec_driver_sql("ANALYZE queue_verdict")
        self._unanalyzed = 0

    # -- reads -------------------------------------------------------------------

    def groups(self) -> list[Group]:
        where = "WHERE g.campaign = :campaign" if self.campaign is not None else ""
        rows = self._run(
            "SELECT g.id, g.campaign, g.region, g.zones, g.head, g.location, g.sample"
            f" FROM queue_group g {where} ORDER BY g.id"
        )
        found = [Group(r[0], r[1], r[2], r[3], r[4], r[5] or None, r[6]) for r in rows]
        self._campaigns = {g.id: g.campaign for g in found}
        return found

    def scope_size(self) -> int:
        return int(self._run(f"SELECT count(*) FROM queue_entry q WHERE {self.scope}").scalar_one())

    def mark_own(self, ranges: Sequence[tuple[int, int]], mixed: Sequence[int]) -> None:
        """Mark every number in scope with facts of its own beyond registry listings.

        ``ranges``: number ranges covered by a live prefix block.
        ``mixed``: groups whose members the group alone cannot decide.
        """
        size = self.scope_size() if self.sqlite else 0
        for source in SOURCES:
            if self.sqlite and self._rows_at_most(source.table) < size:
                # Few facts, many queued: walk the facts, probe the queue.
                join = (
                    f"FROM {source.table} s CROSS JOIN queue_entry q {self.by_number}"
                    " WHERE q.number = s.number"
                )
            else:
                join = (
                    f"FROM queue_entry q {self.by_number} CROSS JOIN {source.table} s"
                    " WHERE s.number = q.number"
                )
            self._run(
                f"{self.add}q.number, {source.bit} {join} AND {source.live} AND {self.scope}{_TAIL}"
            )
        if ranges:
            self.conn.execute(
                text("INSERT INTO scrub_range (lo, hi) VALUES (:lo, :hi)"),
                [{"lo": lo, "hi": hi} for lo, hi in ranges],
            )
            self._run(
                f"{self.add}q.number, {PREFIX} FROM scrub_range b CROSS JOIN queue_entry q"
                f" {self.by_number} WHERE q.number BETWEEN b.lo AND b.hi AND {self.scope}{_TAIL}"
            )
        if mixed:
            self.conn.execute(
                text(
                    f"{self.add}q.number, {MIXED} FROM queue_entry q"
                    f" WHERE q.group_id IN :mixed AND {self.scope}{_TAIL}"
                ).bindparams(bindparam("mixed", expanding=True)),
                {**self.params, "mixed": list(mixed)},
            )

    def own_facts(self) -> list[OwnEntry]:
        """Every live entry marked by ``mark_own``: each is decided on its own facts."""
        rows = self._run(
            "SELECT q.id, q.campaign, q.number, q.region, q.zones, q.location, s.bits"
            f" FROM scrub_special s CROSS JOIN queue_entry q {self.by_number} {self._LIVE}"
            f" WHERE q.number = s.number AND {self.scope} AND v.number IS NULL"
        )
        return [OwnEntry._make(r) for r in rows]

    def use_registries(self, registries: Mapping[str, tuple[Snapshot, int]]) -> None:
        """``registries``: name -> (its current snapshot file, bit).

        Listings are not facts of the entry's own: half a queue may be listed.
        The scope's numbers are read once in number order and looked up in
        every file at once (numpy, millions a second); the listed ones go
        into ``scrub_rbits`` with their bits, which the walks then join. On
        SQLite the scope (number, id, group of each entry) stays in memory
        for ``counts``.
        """
        if self.sqlite:
            self._scope = Scope(*self._scope_rows())
            numbers = self._scope.numbers
        elif registries:
            numbers = self._scope_numbers()
        if registries:
            bits = np.zeros(numbers.size, dtype=np.int64)
            for snapshot, bit in registries.values():
                bits[snapshot.contains_many(numbers)] |= int(bit)
            if self._scope is not None:
                self._scope.rbits = bits
            listed = np.flatnonzero(bits)
            # A number queued in two campaigns comes twice: one row for it.
            keys, first = np.unique(numbers[listed], return_index=True)
            self._pending = (keys, bits[listed][first])
            self._joined = True
            if not self.sqlite:
                self._fill_pending()
        if not self.sqlite:
            for name in _TEMP:
                self.conn.exec_driver_sql(f"ANALYZE {name}")

    def _scope_numbers(self) -> NDArray[np.uint64]:
        """Every distinct number queued in scope, rising."""
        cursor = self._raw().cursor()
        try:
            cursor.execute(
                f"SELECT DISTINCT q.number FROM queue_entry q WHERE {self._raw_scope()}"
                " ORDER BY q.number",
                self.params,
            )
            found = np.empty(0, dtype=np.uint64)
            parts = [found]
            while rows := cursor.fetchmany(RBITS_BATCH):
                parts.append(np.fromiter((r[0] for r in rows), dtype=np.uint64, count=len(rows)))
            return np.concatenate(parts)
        finally:
            cursor.close()

    def _raw_scope(self) -> str:
        return self.scope.replace(":campaign", "?" if self.sqlite else "%(campaign)s")

    def _scope_rows(self) -> tuple[NDArray[np.uint64], NDArray[np.int64], NDArray[np.int64]]:
        """SQLite: the number, id and group of every entry in scope, in number
        order. Read a chunk at a time as three comma-joined strings (one row
        per chunk): a Python tuple per entry costs more than the walk."""
        where = self._raw_scope()
        sql = (
            "SELECT group_concat(number), group_concat(id), group_concat(group_id),"
            " count(*), max(number) FROM (SELECT q.number, q.id, q.group_id"
            f" FROM queue_entry q {self.by_number} WHERE {where} AND q.number >= ?"
            " ORDER BY q.number LIMIT ?)"
        )
        head = (self.campaign,) if self.campaign is not None else ()
        cursor = self._raw().cursor()
        parts: list[tuple[NDArray[np.int64], ...]] = []
        low = -(2**63)
        try:
            while True:
                cursor.execute(sql, (*head, low, SCOPE_CHUNK))
                joined, idl, grl, count, top = cursor.fetchone()
                if not count:
                    break
                n, i, g = (ints(t) for t in (joined, idl, grl))
                if count < SCOPE_CHUNK:
                    parts.append((n, i, g))
                    break
                # The chunk may end part-way through the entries of its last
                # number (one per campaign): those come with the next chunk.
                keep = int(np.searchsorted(n, top))
                if keep == 0:
                    raise RuntimeError("more entries of one number than a scope chunk holds")
                parts.append((n[:keep], i[:keep], g[:keep]))
                low = int(top)
        finally:
            cursor.close()
        if not parts:
            empty = np.empty(0, dtype=np.int64)
            return empty.astype(np.uint64), empty, empty
        numbers, ids, groups = (np.concatenate(column) for column in zip(*parts, strict=True))
        return numbers.astype(np.uint64), ids, groups

    def _column(self, sql: str) -> NDArray[np.int64]:
        """One integer column of ``sql`` (read as one comma-joined string)."""
        joined = self._run(f"SELECT group_concat(x) FROM ({sql})").scalar_one()
        return ints(joined)

    @property
    def _rjoins(self) -> str:
        """The join giving each entry its registry bits (``_rbits``), if any."""
        if not self._joined:
            return ""
        self._fill_pending()
        return " LEFT JOIN scrub_rbits rb ON rb.number = q.number"

    @property
    def _rbits(self) -> str:
        if not self._joined:
            return "0"
        self._fill_pending()
        return "coalesce(rb.bits, 0)"

    def _fill_pending(self) -> None:
        if self._pending is not None:
            self._fill_rbits(*self._pending)
            self._pending = None

    def _fill_rbits(self, numbers: NDArray[np.uint64], bits: NDArray[np.int64]) -> None:
        """Insert each listed number with its bits, a batch per set of bits (a
        handful: one per combination of registries), each batch in number
        order, as one array parameter. (Two arrays joined on their positions
        would be quadratic on SQLite: ``json_each`` has no index on ``key``.)"""
        cursor = self._raw().cursor()
        try:
            for mark in np.unique(bits).tolist():
                chosen = numbers[bits == mark]
                for first in range(0, chosen.size, RBITS_BATCH):
                    keys = chosen[first : first + RBITS_BATCH].tolist()
                    if self.sqlite:
                        cursor.execute(
                            "INSERT INTO scrub_rbits (number, bits) SELECT value, ?"
                            " FROM json_each(?)",
                            (mark, json.dumps(keys)),
                        )
                    else:
                        cursor.execute(
                            "INSERT INTO scrub_rbits (number, bits)"
                            " SELECT n, %s FROM unnest(%s::bigint[]) n",
                            (mark, keys),
                        )
        finally:
            cursor.close()

    def _raw(self) -> Any:
        return self.conn.connection.driver_connection

    def _rows_at_most(self, table: str) -> int:
        # Rowids only grow: an upper bound on the rows, read off the b-tree's end.
        return int(self._run(f"SELECT coalesce(max(rowid), 0) FROM {table}").scalar_one())

    # Joined, then ``v.number IS NULL``: entries not suppressed. (A join, not
    # NOT EXISTS: SQLite runs a correlated subquery as a program per row.)
    _LIVE = (
        "LEFT JOIN queue_verdict v ON v.number = q.number AND v.entry_id = q.id"
        " AND v.action = 'suppressed'"
    )

    def _plain(self, also: str = "") -> str:
        """Live entries in scope with no facts of their own (registry listings
        aside); ``self._rbits`` is then each one's registry bits."""
        return (
            f"FROM queue_entry q {self.by_number}"
            # Suppressed entries drop out before the registry probes.
            f" LEFT JOIN scrub_special s ON s.number = q.number {self._LIVE}{self._rjoins}{also}"
            f" WHERE {self.scope} AND s.number IS NULL AND v.number IS NULL"
        )

    def counts(self) -> dict[tuple[int, int], int]:
        """Live entries per (group id, registry bits) among those with no facts of
        their own beyond registry listings; bits 0: no facts at all.

        One walk in number order, beside the registries and the verdicts (on
        SQLite: the scope read by ``use_registries``, against the numbers
        with facts and the entries suppressed, each read once).
        """
        if self._scope is not None:
            return self._scope.counts(
                self._column("SELECT number AS x FROM scrub_special"),
                self._column("SELECT entry_id AS x FROM queue_verdict WHERE action = 'suppressed'"),
            )
        rows = self._run(
            f"SELECT q.group_id, {self._rbits} AS rbits, count(*) {self._plain()}"
            " GROUP BY q.group_id, rbits"
        )
        return {(int(g), int(b)): int(n) for g, b, n in rows}

    # -- writes -------------------------------------------------------------------

    def decide_groups(self, decided: Iterable[GroupVerdict], at: datetime) -> None:
        """Each group's verdict, stored on the group (one row for all its members)."""
        stamp = instant(at, self.sqlite)
        rows = [
            (
                g.action,
                instant(g.not_before, self.sqlite),
                g.reasons,
                stamp,
                self.through,
                g.group_id,
            )
            for g in decided
        ]
        if not rows:
            return
        mark = "?" if self.sqlite else "%s"
        self.conn.exec_driver_sql(
            f"UPDATE queue_group SET action = {mark}, not_before = {mark}, reasons = {mark},"
            f" decided_at = {mark}, checked_through = {mark} WHERE id = {mark}",
            rows,
        )

    def forget_own(self) -> None:
        """Drop the entries' own verdicts in scope, but never a suppression: the
        scrub decides them again from today's facts."""
        self._run(
            "DELETE FROM queue_verdict WHERE action <> 'suppressed' AND EXISTS"
            " (SELECT 1 FROM queue_entry q"
            f" WHERE q.id = queue_verdict.entry_id AND {self.scope})"
        )

    def apply_picks(self, picks: Iterable[Pick], at: datetime) -> None:
        """Each pick's verdict on every live entry of its group listed on exactly
        its registries."""
        picks = list(picks)
        ids = reason_ids(self.conn, [p.reasons for p in picks])
        rows = [
            {
                "g": p.group_id,
                "b": p.bits,
                "a": p.action,
                "nb": instant(p.not_before, self.sqlite),
                "r": ids.get(p.reasons),
            }
            for p in picks
        ]
        if not rows:
            return
        self._picks = picks
        if self._exact and self._write_picks(picks, ids, at):
            return
        self.conn.execute(
            text(
                "INSERT INTO scrub_pick (group_id, bits, action, not_before, reason_id)"
                " VALUES (:g, :b, :a, :nb, :r)"
            ),
            rows,
        )
        if not self.sqlite:
            # Planned as empty, the join below would be planned as a disaster.
            self.conn.exec_driver_sql("ANALYZE scrub_pick")
        self._verdicts(
            "SELECT q.number, q.id, p.action, p.not_before, p.reason_id, :at"
            f" {self._plain(' CROSS JOIN scrub_pick p')}"
            f" AND p.group_id = q.group_id AND p.bits = {self._rbits}"
            " AND q.id <= :through",
            {"at": at, "through": self.through},
        )

    def _write_picks(
        self, picks: Sequence[Pick], ids: Mapping[str | None, int], at: datetime
    ) -> bool:
        """``apply_picks`` from the scope in memory (SQLite, the database as
        read): each listed entry's id and pick as one array, its number looked
        up by id. False when the scope and the picks do not match."""
        if self._scope is None or len(picks) >= 1 << KIND_BITS:
            return False
        kinds = {}
        for k, p in enumerate(picks):
            key = self._scope.key_of(p.group_id, p.bits)
            if key is not None:
                kinds[key] = k
        picked = self._scope.picked(kinds, self.through)
        if picked is None:
            return False
        self._kinds(
            (k, None, p.action, instant(p.not_before, True), ids.get(p.reasons), None)
            for k, p in enumerate(picks)
        )
        numbers, packed = picked
        # Each entry's number beside its id, by position: a probe by id into
        # queue_entry would land anywhere in it, as ids do not follow numbers.
        insert = text(
            "INSERT INTO queue_verdict (number, entry_id, action, not_before, reason_id,"
            " decided_at) SELECT n.number, j.value >> :shift, k.action, k.not_before,"
            " k.reason_id, :at FROM json_each(:packed) j CROSS JOIN scrub_pos n"
            " CROSS JOIN scrub_kind k WHERE n.pos = j.key AND k.k = j.value & :mask"
            " ON CONFLICT (number, entry_id) DO NOTHING"
        ).bindparams(bindparam("at", type_=UTCDateTime))
        for first in range(0, packed.size, PACKED_BATCH):
            part = slice(first, first + PACKED_BATCH)
            self.conn.exec_driver_sql("DELETE FROM scrub_pos")
            self.conn.exec_driver_sql(
                "INSERT INTO scrub_pos (pos, number) SELECT key, value FROM json_each(?)",
                (json.dumps(numbers[part].tolist()),),
            )
            done = self.conn.execute(
                insert,
                {
                    "packed": json.dumps(packed[part].tolist()),
                    "at": at,
                    "shift": KIND_BITS,
                    "mask": (1 << KIND_BITS) - 1,
                },
            )
            self.wrote(done.rowcount)
        return True

    def _kinds(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.conn.exec_driver_sql("DELETE FROM scrub_kind")
        rows = list(rows)
        if not rows:
            return
        self.conn.exec_driver_sql(
            "INSERT INTO scrub_kind (k, campaign, action, not_before, reason_id, codes)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            list(rows),
        )

    def _packed(self, sql: str, packed: NDArray[np.int64], at: datetime) -> None:
        """Run ``sql`` on each batch of ``packed`` entries (``:packed``, JSON)."""
        statement = text(sql)
        if ":at" in sql:
            statement = statement.bindparams(bindparam("at", type_=UTCDateTime))
        for first in range(0, packed.size, PACKED_BATCH):
            chunk = json.dumps(packed[first : first + PACKED_BATCH].tolist())
            done = self.conn.execute(statement, {"packed": chunk, "at": at})
            self.wrote(done.rowcount)

    _VERDICT = "number, entry_id, action, not_before, reason_id, decided_at"

    def _verdicts(self, select: str, params: Mapping[str, Any]) -> None:
        """Insert ``select``'s verdicts (never over a stored one). The select
        reads ``queue_verdict`` too (``_LIVE``): on PostgreSQL it runs to its
        end into ``scrub_verdict`` first, as one statement reading the rows it
        writes may scan them all again for every entry it decides (a table
        empty when planned, a first night's, is planned as a sequential scan
        inside a nested loop: quadratic, 22 s instead of 1 s for 100,000
        entries)."""
        self._restat()
        into = f"INSERT INTO {{}} ({self._VERDICT})"
        conflict = " ON CONFLICT (number, entry_id) DO NOTHING"
        at = bindparam("at", type_=UTCDateTime)
        if self.sqlite:
            done = self.conn.execute(
                text(f"{into.format('queue_verdict')} {select}{conflict}").bindparams(at),
                {**self.params, **params},
            )
            self.wrote(done.rowcount)
            return
        self.conn.exec_driver_sql("TRUNCATE scrub_verdict")
        self.conn.execute(
            text(f"{into.format('scrub_verdict')} {select}").bindparams(at),
            {**self.params, **params},
        )
        done = self.conn.exec_driver_sql(
            f"{into.format('queue_verdict')} SELECT {self._VERDICT} FROM scrub_verdict"
            # In key order: appended to the b-tree, not scattered over it.
            f" ORDER BY number, entry_id{conflict}"
        )
        self.wrote(done.rowcount)

    def suppress_group(self, group_id: int, reasons: str | None, at: datetime) -> None:
        """Every live entry of a group with no facts at all, suppressed: the
        group's verdict alone must not be the only evidence."""
        self._verdicts(
            "SELECT q.number, q.id, 'suppressed', NULL, :reason, :at"
            f" {self._plain()} AND q.group_id = :group AND {self._rbits} = 0"
            " AND q.id <= :through",
            {
                "through": self.through,
                "group": group_id,
                "reason": reason_ids(self.conn, [reasons]).get(reasons),
                "at": at,
            },
        )

    def record_dispositions(
        self,
        run_id: int,
        at: datetime,
        groups: Iterable[GroupVerdict],
        reasons: Iterable[str | None],
        own: Sequence[EntryVerdict] = (),
    ) -> None:
        """Note in ``queue_disposition`` each entry whose disposition (action or
        reason codes) this run changed, and close the row of every entry in
        scope it no longer decides (called, gone, suppressed by an opt-out):
        three statements, whatever the size of the queue. (After every write
        of the run, in its write transaction.)

        ``groups``: the groups' verdicts; ``reasons``: every list of reasons
        (JSON) the run wrote on entries; ``own``: the verdicts of the entries
        with facts of their own.
        """
        groups = list(groups)
        params = {"at": at, "through": self.through, "run": run_id}
        mine = " AND campaign = :campaign" if self.campaign is not None else ""
        packed = self._scope_dispositions(groups, own) if self._exact else None
        # Only a scrub opens a row, one at a time: none open in scope (a first
        # night) means nothing to close, and every entry's row opens.
        first = not self._run(
            f"SELECT EXISTS (SELECT 1 FROM queue_disposition WHERE until_run IS NULL{mine})"
        ).scalar_one()
        opens = (
            "INSERT INTO queue_disposition (entry_id, campaign, action, codes, since_run, since_at)"
        )
        if packed is not None:
            if first:
                self._packed(
                    f"{opens} SELECT j.value >> {KIND_BITS}, k.campaign, k.action, k.codes,"
                    f" {int(run_id)}, :at FROM json_each(:packed) j CROSS JOIN scrub_kind k"
                    f" WHERE {_KIND}",
                    packed,
                    at,
                )
                return
            self._packed(
                "INSERT INTO scrub_now (entry_id, campaign, action, codes)"
                f" SELECT j.value >> {KIND_BITS}, k.campaign, k.action, k.codes"
                f" FROM json_each(:packed) j CROSS JOIN scrub_kind k WHERE {_KIND}",
                packed,
                at,
            )
        elif first:
            # Straight from the walk: nothing open to compare it with.
            self._now_from_sql(at, groups, reasons, opens, ", :run, :at", run_id)
            return
        else:
            self._now_from_sql(at, groups, reasons)
        if not self.sqlite:
            self.conn.exec_driver_sql("ANALYZE scrub_now")
        self.conn.execute(
            text(
                "UPDATE queue_disposition SET until_run = :run, until_at = :at"
                f" WHERE until_run IS NULL{mine} AND NOT EXISTS (SELECT 1 FROM scrub_now n"
                " WHERE n.entry_id = queue_disposition.entry_id"
                " AND n.action = queue_disposition.action AND n.codes = queue_disposition.codes)"
            ).bindparams(bindparam("at", type_=UTCDateTime)),
            {**self.params, **params},
        )
        opened = (
            "SELECT n.entry_id, n.campaign, n.action, n.codes FROM scrub_now n"
            " LEFT JOIN queue_disposition d ON d.entry_id = n.entry_id AND d.until_run IS NULL"
            " WHERE d.entry_id IS NULL"
        )
        if not self.sqlite:
            # One statement reading the table it appends to scans the rows it
            # has just written again for every entry (a sequential scan in a
            # nested loop, planned from counts taken before the writes): 88 s
            # instead of a fraction of one for 100,000 entries on a first
            # night. Worked out in full first, from fresh counts.
            self.conn.exec_driver_sql("ANALYZE queue_disposition")
            self.conn.exec_driver_sql(
                f"INSERT INTO scrub_opened (entry_id, campaign, action, codes) {opened}"
            )
            opened = "SELECT entry_id, campaign, action, codes FROM scrub_opened"
        self.conn.execute(
            text(
                "INSERT INTO queue_disposition"
                " (entry_id, campaign, action, codes, since_run, since_at)"
                f" SELECT o.entry_id, o.campaign, o.action, o.codes, :run, :at FROM ({opened}) o"
                " ORDER BY o.entry_id"
            ).bindparams(bindparam("at", type_=UTCDateTime)),
            params,
        )

    def _now_from_sql(
        self,
        at: datetime,
        groups: Sequence[GroupVerdict],
        reasons: Iterable[str | None],
        into: str = "INSERT INTO scrub_now (entry_id, campaign, action, codes)",
        extra: str = "",
        run_id: int | None = None,
    ) -> None:
        """``scrub_now`` read back from what the run wrote (or ``into`` another
        table, with the ``extra`` columns)."""
        ids = reason_ids(self.conn, list(reasons))
        coded = [{"r": i, "c": codes_of(t)} for t, i in ids.items()]
        if coded:
            self.conn.execute(
                text("INSERT INTO scrub_codes (reason_id, codes) VALUES (:r, :c)"), coded
            )
        grouped = [{"g": g.group_id, "c": codes_of(g.reasons)} for g in groups]
        if grouped:
            self.conn.execute(
                text("INSERT INTO scrub_group_codes (group_id, codes) VALUES (:g, :c)"), grouped
            )
        params = {"at": at, "through": self.through, "run": run_id}
        self._restat()
        # An entry suppressed before this run (by an earlier scrub, or an
        # opt-out since) is not this run's to count: its own row was closed.
        self.conn.execute(
            text(
                f"{into} SELECT q.id, q.campaign, coalesce(v.action, g.action),"
                " CASE WHEN v.number IS NULL THEN coalesce(gc.codes, '')"
                f" ELSE coalesce(c.codes, '') END{extra}"
                f" FROM queue_entry q {self.by_number}"
                " JOIN queue_group g ON g.id = q.group_id"
                " LEFT JOIN scrub_group_codes gc ON gc.group_id = q.group_id"
                " LEFT JOIN queue_verdict v ON v.number = q.number AND v.entry_id = q.id"
                " LEFT JOIN scrub_codes c ON c.reason_id = v.reason_id"
                f" WHERE {self.scope} AND q.id <= :through"
                " AND coalesce(v.action, g.action) IS NOT NULL"
                " AND (v.number IS NULL OR v.action <> 'suppressed' OR v.decided_at = :at)"
                # In key order: appended, not scattered over the b-tree (half the time).
                " ORDER BY q.id"
            ).bindparams(bindparam("at", type_=UTCDateTime)),
            {**self.params, **params},
        )

    def _scope_dispositions(
        self, groups: Sequence[GroupVerdict], own: Sequence[EntryVerdict]
    ) -> NDArray[np.int64] | None:
        """What ``scrub_now`` would hold, from the scope in memory (SQLite, the
        database as read), as packed (id, kind) in id order, each kind in
        ``scrub_kind``: an entry with facts of its own has its own verdict's
        action and codes; any other, its group's, or its pick's when listed.
        None when the scope and the decisions do not match."""
        scope = self._scope
        if scope is None or scope.keys is None:
            return None
        kinds: dict[tuple[str, str, str], int] = {}
        by_key: dict[int, int] = {}
        decided = [(g.group_id, 0, g.action, g.reasons) for g in groups]
        decided += [(p.group_id, p.bits, p.action, p.reasons) for p in self._picks]
        for group_id, bits, action, reasons in decided:
            key = scope.key_of(group_id, bits)
            campaign = self._campaigns.get(group_id)
            if key is not None and campaign is not None:
                kind = (campaign, action, codes_of(reasons))
                by_key[key] = kinds.setdefault(kind, len(kinds))
        group_of = scope.groups_of([v.entry_id for v in own])
        by_id: dict[int, int] = {}
        for v in own:
            campaign = self._campaigns.get(group_of.get(v.entry_id, -1))
            if campaign is None:
                continue  # beyond ``through`` or out of scope: not in ``scrub_now``
            kind = (campaign, v.action, codes_of(v.reasons))
            by_id[v.entry_id] = kinds.setdefault(kind, len(kinds))
        if len(kinds) >= 1 << KIND_BITS:
            return None
        packed = scope.dispositions(by_key, by_id, self.through)
        if packed is not None:
            self._kinds((k, c, a, None, None, codes) for (c, a, codes), k in kinds.items())
        return packed

    # -- the export: every entry decided, nothing written ------------------------

    def mark_listed(self) -> list[tuple[int, int]]:
        """Note each live entry listed on registries and nothing else known, with
        its registry bits (one walk in number order, as ``counts``): the export
        then reads the queue best first without probing a registry. Returns
        the (group id, registry bits) sets found."""
        listed = (
            f"SELECT q.id AS entry_id, q.group_id, {self._rbits} AS bits {self._plain()}"
            f" AND {self._rbits} <> 0"
        )
        if self.sqlite:
            self._run(f"INSERT INTO scrub_listed (entry_id, group_id, bits) {listed}")
        else:
            # PostgreSQL runs INSERT … SELECT without parallel workers and then
            # plans a small registry as a full scan (seconds for 5 million);
            # CREATE TABLE AS keeps the walk's plan: probes, in parallel.
            self.conn.exec_driver_sql("DROP TABLE scrub_listed")
            self._run(f"CREATE TEMP TABLE scrub_listed AS {listed}")
            self.conn.exec_driver_sql("ANALYZE scrub_listed")
        rows = self._run("SELECT DISTINCT group_id, bits FROM scrub_listed")
        return [(int(g), int(b)) for g, b in rows]

    def entries(self, everything: bool, stamps: bool = False) -> Iterator[Any]:
        """The entries best first, each a row with what decides it: ``id``,
        ``number``, ``lead_id``, ``location``, ``priority``, ``lifecycle``
        (the stored status), ``group_id``, ``own_bits`` (facts of its own, or
        NULL), ``registry_bits`` (or NULL), ``suppressed`` (before now),
        ``reasons`` (that suppression's, JSON, with ``everything``) and
        ``gone_at`` (when, with ``stamps``). Only the live entries in scope,
        unless ``everything``. Streamed: a million rows never sit in memory at
        once. (After ``mark_listed``.)"""
        where = [self.scope, "v.number IS NULL"]
        if everything:
            where = ["q.campaign = :campaign"] if self.campaign is not None else ["1 = 1"]
        query = text(
            "SELECT q.id, q.number, q.lead_id, q.location, q.priority, q.status AS lifecycle,"
            " q.group_id, s.bits AS own_bits, l.bits AS registry_bits,"
            " v.number IS NOT NULL AS suppressed,"
            + (" r.reasons AS reasons" if everything else " NULL AS reasons")
            + (", v.decided_at AS gone_at" if stamps else ", NULL AS gone_at")
            + " FROM queue_entry q LEFT JOIN scrub_special s ON s.number = q.number"
            f" LEFT JOIN scrub_listed l ON l.entry_id = q.id {self._LIVE}"
            + (" LEFT JOIN queue_reason r ON r.id = v.reason_id" if everything else "")
            + f" WHERE {' AND '.join(where)} ORDER BY q.priority DESC, q.id"
        )
        typed = query.columns(gone_at=UTCDateTime) if stamps else query
        if not self.sqlite:
            # Every row will be read: plan the cursor for the whole, not for
            # a fast first tenth (index probes where one hash join does).
            self.conn.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1")
        yield from self.conn.execute(
            typed, self.params, execution_options={"stream_results": True, "yield_per": 2000}
        )


CODES_WIDTH = 400


def codes_of(reasons: str | None) -> str:
    """The reason codes of a list of reasons (JSON), sorted and comma-joined."""
    return _codes(reasons or "[]")


@lru_cache(maxsize=4096)
def _codes(reasons: str) -> str:
    try:
        found = json.loads(reasons)
    except ValueError:
        return ""
    codes = sorted({str(r.get("code")) for r in found if isinstance(r, dict) and r.get("code")})
    joined = ",".join(codes)
    # A list of more codes than the column holds keeps the first whole ones.
    return joined if len(joined) <= CODES_WIDTH else joined[:CODES_WIDTH].rpartition(",")[0]
