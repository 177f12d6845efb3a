"""A change list applied to a snapshot: a new file, the old one untouched.

The result is (old ∪ add) ∖ delete, as the database's change import does
(adds first, then deletes, so a number in both lists ends up removed). The
old snapshot streams through in key order; the adds (held in memory,
sorted: change lists are small beside the full list) are slotted into each
batch with ``searchsorted``, and the deletes masked out, all in numpy.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dnc.snapshots.encode import SnapshotInfo, SortedSink, work_dir
from dnc.snapshots.keys import Keys, as_keys
from dnc.snapshots.reader import Snapshot


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
    deletes = np.unique(as_keys(delete))
    adds = np.setdiff1d(np.unique(as_keys(add)), deletes, assume_unique=True)
    work = work_dir(target)
    added = removed = 0
    sink = SortedSink(target, snapshot_id, label=base.label if label is None else label, work=work)
    try:
        taken = 0
        for old in base.iter_keys():
            end = int(np.searchsorted(adds, old[-1], side="right"))
            fresh = adds[taken:end]
            taken = end
            fresh = fresh[~member(fresh, old)]
            gone = member(old, deletes)
            kept = old[~gone]
            removed += int(np.count_nonzero(gone))
            added += fresh.size
            sink.feed(np.insert(kept, np.searchsorted(kept, fresh), fresh))
        added += adds.size - taken
        sink.feed(adds[taken:])
        info = sink.finish()
    except BaseException:
        sink.abort()
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return ChangeResult(info=info, added=added, removed=removed)


def member(keys: Keys, sorted_set: Keys) -> NDArray[np.bool_]:
    """For each key: is it in ``sorted_set`` (sorted, unique)?"""
    if sorted_set.size == 0 or keys.size == 0:
        return np.zeros(keys.shape, dtype=bool)
    at = np.searchsorted(sorted_set, keys)
    np.minimum(at, sorted_set.size - 1, out=at)
    found: NDArray[np.bool_] = sorted_set[at] == keys
    return found
