"""Building a snapshot from keys in any order, in bounded memory.

An external sort. Keys arrive in chunks (uint64 arrays, or the importer's
digit bytes) and fill one run buffer of ``run_keys`` keys (32 M keys =
256 MiB); a full buffer is sorted in place (skipped when the input is
already sorted, as registry files are), its duplicates dropped, and written
to a run file. At the end the runs are merged a window at a time: each run
contributes the keys up to the smallest last key of the windows still
reading, which no later read can undercut; that slice is sorted (numpy's
stable sort merges sorted pieces in linear time), de-duplicated and fed to
the block encoder. Peak memory is the run buffer plus its sort, whatever
the number of keys; a list that fits in one run never touches run files.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from dnc.snapshots.encode import SnapshotInfo, SortedSink, work_dir
from dnc.snapshots.keys import Keys, as_keys

DEFAULT_RUN_KEYS = 32 << 20
MERGE_WINDOW_KEYS = 16 << 20
"""Keys read ahead from all runs together while merging."""
SLICE_KEYS = 4 << 20
"""Keys per batch handed to the encoder (bounds its temporary arrays)."""


class SnapshotWriter:
    """Write a snapshot file from chunks of keys; nothing appears at ``path`` until ``finish``.

    Use as a context manager: leaving it by an exception removes every
    temporary file, and a killed process leaves only a ``.snapwrite-*``
    folder beside the target (see ``discard_leftovers``).
    """

    def __init__(
        self,
        path: str | Path,
        snapshot_id: int,
        *,
        label: str = "",
        run_keys: int = DEFAULT_RUN_KEYS,
    ) -> None:
        self.path = Path(path)
        self.snapshot_id = snapshot_id
        self.label = label
        self._work = work_dir(self.path)
        self._buffer: Keys = np.empty(max(1, run_keys), dtype=np.uint64)
        self._filled = 0
        self._runs: list[Path] = []
        self.read = 0

    def __enter__(self) -> SnapshotWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if kind is not None:
            self.abort()

    def add(self, chunk: Any) -> None:
        """Keys: a uint64 array (or any integer array-like) or newline-separated digit bytes."""
        keys = as_keys(chunk)
        self.read += keys.size
        while keys.size:
            room = self._buffer.size - self._filled
            take = keys[:room]
            self._buffer[self._filled : self._filled + take.size] = take
            self._filled += take.size
            keys = keys[room:]
            if self._filled == self._buffer.size:
                self._spill()

    def finish(self) -> SnapshotInfo:
        try:
            sink = SortedSink(self.path, self.snapshot_id, label=self.label, work=self._work)
            try:
                if not self._runs:
                    for keys in _slices(sort_unique(self._buffer[: self._filled])):
                        sink.feed(keys)
                else:
                    self._spill()
                    self._buffer = np.empty(0, dtype=np.uint64)
                    for keys in merge_runs(self._runs):
                        sink.feed(keys)
                return sink.finish()
            except BaseException:
                sink.abort()
                raise
        finally:
            self._cleanup()

    def abort(self) -> None:
        self._cleanup()

    def _spill(self) -> None:
        if self._filled == 0:
            return
        run = sort_unique(self._buffer[: self._filled])
        path = self._work / f"run.{len(self._runs)}"
        run.tofile(path)
        self._runs.append(path)
        self._filled = 0

    def _cleanup(self) -> None:
        self._buffer = np.empty(0, dtype=np.uint64)
        shutil.rmtree(self._work, ignore_errors=True)


def write_snapshot(
    path: str | Path,
    snapshot_id: int,
    chunks: Iterable[Any],
    *,
    label: str = "",
    run_keys: int = DEFAULT_RUN_KEYS,
) -> SnapshotInfo:
    """A snapshot file at ``path`` holding every key of ``chunks`` (see ``SnapshotWriter.add``)."""
    with SnapshotWriter(path, snapshot_id, label=label, run_keys=run_keys) as writer:
        for chunk in chunks:
            writer.add(chunk)
        return writer.finish()


def sort_unique(keys: Keys) -> Keys:
    """Sorted without duplicates, in place: a view of the front of ``keys``."""
    if keys.size < 2:
        return keys
    if not bool((keys[1:] >= keys[:-1]).all()):
        keys.sort()
    # Compact in slices so the only temporaries are one slice's mask and keys.
    kept = 1
    for start in range(1, keys.size, SLICE_KEYS):
        end = min(start + SLICE_KEYS, keys.size)
        fresh = keys[start:end][keys[start:end] != keys[start - 1 : end - 1]]
        keys[kept : kept + fresh.size] = fresh
        kept += fresh.size
    return keys[:kept]


def _slices(keys: Keys) -> Iterator[Keys]:
    for start in range(0, keys.size, SLICE_KEYS):
        yield keys[start : start + SLICE_KEYS]


class _Run:
    """A sorted run file read a window at a time."""

    def __init__(self, path: Path, window: int) -> None:
        self.path = path
        self.window = window
        self.total = path.stat().st_size // 8
        self.offset = 0
        self.keys: Keys = np.empty(0, dtype=np.uint64)
        self.refill()

    @property
    def more_on_disk(self) -> bool:
        return self.offset < self.total

    def refill(self) -> None:
        if self.keys.size or not self.more_on_disk:
            return
        count = min(self.window, self.total - self.offset)
        self.keys = np.fromfile(self.path, dtype=np.uint64, count=count, offset=self.offset * 8)
        self.offset += count


def merge_runs(paths: list[Path], window_keys: int = MERGE_WINDOW_KEYS) -> Iterator[Keys]:
    """Sorted, de-duplicated keys of sorted runs, in batches of at most ``window_keys``."""
    window = max(1, window_keys // max(1, len(paths)))
    runs = [_Run(path, window) for path in paths]
    last = -1
    while runs := [r for r in runs if r.keys.size]:
        reading = [int(r.keys[-1]) for r in runs if r.more_on_disk]
        bound = min(reading) if reading else None
        pieces = []
        for run in runs:
            cut = run.keys.size if bound is None else int(np.searchsorted(run.keys, bound, "right"))
            pieces.append(run.keys[:cut])
            run.keys = run.keys[cut:]
            run.refill()
        batch = np.concatenate(pieces)
        batch.sort(kind="stable")
        batch = sort_unique(batch)
        if batch.size and int(batch[0]) == last:
            batch = batch[1:]
        if batch.size:
            last = int(batch[-1])
            yield from _slices(batch)
