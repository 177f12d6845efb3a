"""A change list applied to a snapshot: a new file, the old one untouched.

The result is (old ∪ add) ∖ delete, as the database's change import does
(adds first, then deletes, so a number in both lists ends up removed). The
old snapshot is walked block by block in key order: runs of blocks no
change touches are copied as stored; the others are decoded a batch at a
time, the adds (held in memory, sorted: change lists are small beside the
full list) slotted in with ``searchsorted`` and the deletes taken out, all
in numpy, and encoded again.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dnc.snapshots.encode import SnapshotInfo, SortedSink, work_dir
from dnc.snapshots.format import ARRAY_MAX, BLOCK_BITS
from dnc.snapshots.keys import Keys, as_keys
from dnc.snapshots.reader import Snapshot, batches
from dnc.snapshots.writer import sort_unique

CHANGE_BATCH = 4 << 20
"""Keys of changed blocks decoded at a time."""


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """The new snapshot, and how many numbers the change list really added and removed."""

    info: SnapshotInfo
    added: int
    removed: int


def apply_changes(
    base: Snapshot,
    path: str | Path,
    snapshot_id: int,
    *,
    add: Any = (),
    delete: Any = (),
    label: str | None = None,
) -> ChangeResult:
    """Write ``path``: the keys of ``base`` with ``add`` added and ``delete`` removed."""
    target = Path(path)
    deletes = sort_unique(np.sort(as_keys(delete)))
    adds = sort_unique(np.sort(as_keys(add)))
    adds = adds[~member(adds, deletes)]
    work = work_dir(target)
    sink = SortedSink(target, snapshot_id, label=base.label if label is None else label, work=work)
    try:
        added, removed = _rewrite(base, sink, adds, deletes)
        info = sink.finish()
    except BaseException:
        sink.abort()
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ChangeResult(info=info, added=added, removed=removed)


def _rewrite(base: Snapshot, sink: SortedSink, adds: Keys, deletes: Keys) -> tuple[int, int]:
    """Blocks no change touches are copied as stored; the others decoded, changed, encoded."""
    highs = base.block_highs
    touched = np.isin(highs, np.concatenate((adds, deletes)) >> np.uint64(BLOCK_BITS))
    _close_gaps(touched, COPY_RUN_MIN)
    edges = np.flatnonzero(touched[1:] != touched[:-1]) + 1
    # A run of copied blocks also ends where an add opens a new block inside it.
    opens = np.searchsorted(highs, adds >> np.uint64(BLOCK_BITS))
    opens = opens[opens < highs.size]
    opens = opens[~touched[opens]]
    bounds = np.unique(np.concatenate(([0, highs.size], edges, opens))).tolist()
    added = removed = taken = 0
    for first, last in zip(bounds[:-1], bounds[1:], strict=True):
        if first == last:
            continue
        if not touched[first]:
            # Adds in new blocks before this run go first; none falls inside it.
            end = int(np.searchsorted(adds, np.uint64(int(highs[first]) << BLOCK_BITS)))
            sink.feed(adds[taken:end])
            added += end - taken
            taken = end
            sink.copy_blocks(*base.blocks_raw(first, last))
            continue
        for start, stop in base.block_batches(first, last, CHANGE_BATCH):
            old = base.keys_in_blocks(start, stop)
            limit = np.uint64((int(highs[stop - 1]) + 1) << BLOCK_BITS)
            end = int(np.searchsorted(adds, limit))
            fresh = adds[taken:end]
            taken = end
            fresh = fresh[~member(fresh, old)]
            # Look the few deletes up among the many keys, not the other way round.
            near = deletes[np.searchsorted(deletes, old[0]) : np.searchsorted(deletes, limit)]
            gone = np.searchsorted(old, near)[member(near, old)]
            kept = np.delete(old, gone)
            removed += gone.size
            added += fresh.size
            sink.feed(np.insert(kept, np.searchsorted(kept, fresh), fresh))
    added += adds.size - taken
    sink.feed(adds[taken:])
    return added, removed


COPY_RUN_MIN = 64
"""Untouched blocks between touched ones are copied as stored only in runs at
least this long; shorter gaps are decoded with their neighbours: each run
costs a few numpy calls whatever its length, and a change list spread
thinly over a registry would otherwise pay them for every block."""


def _close_gaps(touched: NDArray[np.bool_], shortest: int) -> None:
    at = np.flatnonzero(touched)
    if at.size < 2:
        return
    gaps = np.flatnonzero((np.diff(at) > 1) & (np.diff(at) <= shortest))
    for i in gaps.tolist():
        touched[at[i] + 1 : at[i + 1]] = True


def shared_count(a: Snapshot, b: Snapshot) -> int:
    """How many keys two snapshots share: a full import's added and removed, at any size.

    Only blocks present in both count. Where both are bitmaps the answer is
    the popcount of their AND, with no key decoded; elsewhere ``a``'s keys
    are decoded and looked up in ``b``.
    """
    _, mine, theirs = np.intersect1d(
        a.block_highs, b.block_highs, assume_unique=True, return_indices=True
    )
    both_maps = (a.block_counts[mine] > ARRAY_MAX) & (b.block_counts[theirs] > ARRAY_MAX)
    shared = 0
    pairs = np.flatnonzero(both_maps)
    for first in range(0, pairs.size, BITMAPS_AT_ONCE):
        chosen = pairs[first : first + BITMAPS_AT_ONCE]
        both = a.bitmaps(mine[chosen]) & b.bitmaps(theirs[chosen])
        shared += int(_POPCOUNT[both].sum(dtype=np.int64))
    rest = mine[~both_maps]
    for start, stop in batches(a.block_counts[rest], CHANGE_BATCH):
        shared += int(np.count_nonzero(b.contains_many(a.keys_of(rest[start:stop]))))
    return shared


_POPCOUNT = np.array([bin(v).count("1") for v in range(256)], dtype=np.uint8)
BITMAPS_AT_ONCE = 512


def only_in(a: Snapshot, b: Snapshot, batch: int = CHANGE_BATCH) -> Iterator[Keys]:
    """The keys of ``a`` that ``b`` lacks, rising, a batch at a time (bounded
    memory at any size): a full import's entered numbers are ``only_in(new,
    old)``, its left ones ``only_in(old, new)``."""
    for keys in a.iter_keys(batch):
        found = b.contains_many(keys)
        if not found.all():
            yield keys[~found]


def member(keys: Keys, sorted_set: Keys) -> NDArray[np.bool_]:
    """For each key: is it in ``sorted_set`` (sorted, unique)?"""
    if sorted_set.size == 0 or keys.size == 0:
        return np.zeros(keys.shape, dtype=bool)
    at = np.searchsorted(sorted_set, keys)
    np.minimum(at, sorted_set.size - 1, out=at)
    found: NDArray[np.bool_] = sorted_set[at] == keys
    return found
