"""Set-based reads for many numbers at once: the engine behind the scrub,
``check_many`` and ``next_calls``.

The numbers go into a temporary table; each kind of fact is then one joined
statement for the whole batch, never one statement per number. Rows come
back grouped by number into the same NumberFacts the single check uses, so
both paths decide with the same pure ``decide``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import BigInteger, select
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.engine import Connection

from dnc.facts import FactsByNumber, NumberFacts
from dnc.prefixes import PrefixBlock, prefixes_of
from dnc.storage import (
    consent_repo,
    outcomes_repo,
    prefix_repo,
    reassigned_repo,
    registry_repo,
    wireless_repo,
)
from dnc.storage.lists_repo import ENTRY_COLUMNS, entry_from_row
from dnc.storage.lists_repo import LIST_ENTRY as ENTRIES
from dnc.storage.snapshot_files import SnapshotFiles

BATCH = sa_table("dnc_batch", sa_column("key", BigInteger))


def load_keys(conn: Connection, keys: Iterable[int]) -> None:
    """Fill the connection's temporary batch table with ``keys``."""
    unique = sorted(set(keys))
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "CREATE TEMP TABLE IF NOT EXISTS dnc_batch (key bigint PRIMARY KEY) ON COMMIT DROP"
        )
        conn.exec_driver_sql("TRUNCATE dnc_batch")
        conn.exec_driver_sql(
            "INSERT INTO dnc_batch (key) SELECT unnest(%(keys)s::bigint[])", {"keys": unique}
        )
        conn.exec_driver_sql("ANALYZE dnc_batch")
        return
    conn.exec_driver_sql("CREATE TEMP TABLE IF NOT EXISTS dnc_batch (key INTEGER PRIMARY KEY)")
    conn.exec_driver_sql("DELETE FROM dnc_batch")
    if unique:
        conn.exec_driver_sql("INSERT INTO dnc_batch (key) VALUES (?)", [(k,) for k in unique])


def read(
    conn: Connection, keys: Sequence[int], since: datetime, files: SnapshotFiles
) -> FactsByNumber:
    """Every fact ``decide`` needs, for all ``keys``, in a handful of statements
    (registry membership from the snapshot files in ``files``)."""
    load_keys(conn, keys)
    in_batch = select(BATCH.c.key)
    current = registry_repo.all_current(conn)
    snapshots = {name: record.as_of for name, record in current.items()}
    entries: dict[int, list[Any]] = defaultdict(list)
    for row in conn.execute(
        select(ENTRIES.c.number, *ENTRY_COLUMNS).where(
            ENTRIES.c.number.in_(in_batch), ENTRIES.c.removed_at.is_(None)
        )
    ):
        entries[row[0]].append(entry_from_row(row[1:]))
    outcomes: dict[int, list[Any]] = defaultdict(list)
    rows: dict[int, list[Any]] = defaultdict(list)
    for number, *done in conn.execute(outcomes_repo.hot_query(BATCH), {"since": since}).all():
        rows[number].append(done)
        outcomes[number].append(outcomes_repo.record_from_row(done))
    totals = {number: outcomes_repo.attempt_totals(found) for number, found in rows.items()}
    hits = registry_hits(files, current, keys)
    consents: dict[int, list[Any]] = defaultdict(list)
    c = consent_repo.CONSENT
    for given in conn.execute(
        select(c.c.number, *consent_repo.CONSENT_COLUMNS).where(
            c.c.number.in_(in_batch), c.c.revoked_at.is_(None)
        )
    ):
        consents[given[0]].append(consent_repo.consent_from_row(given[1:]))
    disconnects = (
        reassigned_repo.of_batch(
            conn,
            select(c.c.number).where(c.c.number.in_(in_batch), c.c.revoked_at.is_(None)),
        )
        if consents
        else {}
    )
    preferences: dict[int, Any] = {}
    p = consent_repo.PREFERENCE
    for pref in conn.execute(
        select(p.c.number, *consent_repo.PREFERENCE_COLUMNS).where(p.c.number.in_(in_batch))
    ):
        preferences[pref[0]] = consent_repo.preference_from_row(pref[1:])
    blocks = _prefix_blocks(conn)
    blocked = {k: _covering(blocks, k) for k in keys} if blocks else {}
    lines = wireless_repo.sources(conn)
    marks = wireless_repo.of_batch(conn, in_batch) if lines else {}

    empty = NumberFacts(registry_snapshots=snapshots, attempts_since=since, line_sources=lines)
    numbers = (set(entries) | set(outcomes) | set(hits) | set(consents) | set(preferences)) | {
        k for k, found in blocked.items() if found
    }
    numbers |= set(marks)
    by_number = {
        key: NumberFacts(
            entries=tuple(entries.get(key, ())),
            outcomes=tuple(outcomes.get(key, ())),
            attempt_totals=totals.get(key, {}),
            attempts_since=since,
            prefix_blocks=blocked.get(key, ()),
            registry_snapshots=snapshots,
            registry_hits=frozenset(hits.get(key, ())),
            consents=tuple(consents.get(key, ())),
            preference=preferences.get(key),
            disconnects=disconnects.get(key, ()),
            line_sources=lines,
            line_marks=marks.get(key, {}),
        )
        for key in numbers
    }
    return FactsByNumber(by_number, empty)


def registry_hits(
    files: SnapshotFiles,
    current: Mapping[str, registry_repo.SnapshotRecord],
    keys: Iterable[int],
) -> dict[int, set[str]]:
    """The registries listing each of ``keys`` (only keys listed somewhere),
    looked up in number order, all at once per registry."""
    hits: dict[int, set[str]] = defaultdict(set)
    if not current:
        return hits
    unique = np.unique(np.fromiter(keys, dtype=np.uint64))
    for name, record in current.items():
        snapshot = files.get(record.file_id)
        for key in unique[snapshot.contains_many(unique)].tolist():
            hits[key].add(name)
    return hits


def live_prefixes(conn: Connection) -> list[int]:
    """The prefix (as its digits' integer) of every live prefix block."""
    return sorted(_prefix_blocks(conn))


def _prefix_blocks(conn: Connection) -> dict[int, list[PrefixBlock]]:
    """Live prefix blocks by prefix key: few enough to match in memory."""
    found: dict[int, list[PrefixBlock]] = defaultdict(list)
    t = prefix_repo.PREFIX_BLOCK
    for row in conn.execute(select(*prefix_repo.BLOCK_COLUMNS).where(t.c.removed_at.is_(None))):
        block = prefix_repo.block_from_row(row)
        found[int(block.prefix[1:])].append(block)
    return found


def _covering(blocks: dict[int, list[PrefixBlock]], key: int) -> tuple[PrefixBlock, ...]:
    return tuple(b for prefix in prefixes_of(key) for b in blocks.get(prefix, ()))
