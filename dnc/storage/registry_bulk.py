"""Writing a registry snapshot's file during an import, and storing it.

A full list: its chunks (newline-separated E.164 digits) go into a
SnapshotWriter (an external sort in bounded memory) writing this host's
copy of a new file; the finished file is opened and verified, stored in the
database as parts (dnc.storage.snapshot_repo, a short transaction each, so
opt-outs interleave with a long import) and kept open by this process. A
change list: the current file with the changes applied, as a new file.
Nothing is visible until the swap's transaction points the snapshot at the
file; a crash before that leaves only what the next import throws away.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from dnc.snapshots import Snapshot, SnapshotWriter, apply_changes, only_in, open_snapshot
from dnc.snapshots.encode import work_dir
from dnc.snapshots.keys import Keys
from dnc.storage import snapshot_repo

if TYPE_CHECKING:
    from dnc.storage.store import Store


class FileLoad:
    """One full list becoming file ``file_id`` (made by ``snapshot_repo.new_file``)."""

    def __init__(self, store: Store, file_id: int, label: str) -> None:
        self._store = store
        self.file_id = file_id
        store.snapshots.ensure_folder()
        self._writer = SnapshotWriter(store.snapshots.path(file_id), file_id, label=label)

    def add(self, digits: bytes, keys: Keys | None = None) -> None:
        """A chunk's numbers: its keys when the reader made them, else its digits."""
        if keys is not None:
            self._writer.add(keys)
        elif digits:
            self._writer.add(digits)

    def finish(self) -> Snapshot:
        """The written, verified and stored file."""
        self._writer.finish()
        return keep(self._store, self.file_id)

    def abort(self) -> None:
        self._writer.abort()


def changed(
    store: Store, base: Snapshot, file_id: int, add: Keys, delete: Keys
) -> tuple[Snapshot, int, int]:
    """``base`` with a change list applied, as file ``file_id``: (file, added, removed).
    On failure the caller drops the file (database and this host)."""
    result = apply_changes(base, store.snapshots.path(file_id), file_id, add=add, delete=delete)
    return keep(store, file_id), result.added, result.removed


def keep(store: Store, file_id: int) -> Snapshot:
    """Open a file this host has just written, check it whole, store its parts."""
    snapshot = open_snapshot(store.snapshots.path(file_id), verify=True, expect_id=file_id)
    snapshot_repo.store(store.engine, file_id, snapshot)
    store.snapshots.adopt(snapshot)
    return snapshot


class Diff:
    """A full import's entered and left numbers, worked out from the two files
    before the swap's transaction and spooled to temporary files (bounded
    memory whatever their number): the write lock is then held only while
    they are inserted, not while two national lists are compared."""

    def __init__(self, store: Store, old: Snapshot, new: Snapshot) -> None:
        self.old_file = old.snapshot_id
        # A work folder as the writer's: a killed import's is removed by the next.
        self._work = work_dir(store.snapshots.folder / "diff")
        try:
            self.entered = _spool(only_in(new, old), self._work / "entered")
            self.left = _spool(only_in(old, new), self._work / "left")
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        shutil.rmtree(self._work, ignore_errors=True)


def _spool(batches: Iterable[Keys], path: Path) -> Path:
    with open(path, "wb") as handle:
        for keys in batches:
            keys.tofile(handle)
    return path


def spooled(path: Path, batch: int = 1 << 20) -> Iterator[Keys]:
    """The keys of a spool, a batch at a time."""
    keys = np.memmap(path, dtype=np.uint64, mode="r") if path.stat().st_size else None
    if keys is None:
        return
    for first in range(0, keys.size, batch):
        yield np.array(keys[first : first + batch])
