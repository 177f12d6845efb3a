"""Writing one snapshot file from keys that arrive sorted and unique.

``SortedSink`` takes batches of keys in rising order, encodes whole blocks
(a sorted uint16 array or an 8 KiB bitmap each) straight into a temporary
file in the target folder, hashing the payload as it goes, and keeps only
the last, possibly unfinished block in memory. ``finish`` writes the
directory and the header, fsyncs, and renames the file into place: the
final name either does not exist yet or holds a complete, checksummed
file, never a partial one. The directory goes to side files while blocks
stream, so memory stays bounded however many blocks there are.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from numpy.typing import NDArray

from dnc.snapshots.format import (
    ARRAY_MAX,
    BITMAP_UNITS,
    BLOCK_BITS,
    DIRECTORY,
    HEADER_BYTES,
    LOW_MASK,
    Header,
)
from dnc.snapshots.keys import Keys

COPY_BYTES = 8 << 20
WORK_PREFIX = ".snapwrite-"


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """A snapshot file as written."""

    path: Path
    snapshot_id: int
    count: int
    blocks: int
    file_bytes: int
    digest: str


def work_dir(target: Path) -> Path:
    """A private folder beside ``target`` for temporary files (same file system).

    Work folders of writers killed mid-write go first: nothing else on a
    host that only imports would ever remove them."""
    target.parent.mkdir(parents=True, exist_ok=True)
    discard_leftovers(target.parent)
    return Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-", dir=target.parent))


def discard_leftovers(folder: Path) -> list[Path]:
    """Remove work folders of writers whose process is gone (killed mid-import)."""
    removed = []
    for path in folder.glob(f"{WORK_PREFIX}*"):
        pid = path.name[len(WORK_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Hashed:
    """A file being written, and the SHA-256 of everything after the header."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.hash = hashlib.sha256()
        self.written = 0

    def write(self, data: bytes | memoryview) -> None:
        self.handle.write(data)
        self.hash.update(data)
        self.written += len(data)


class SortedSink:
    """A snapshot being written from sorted, unique keys; see the module docstring."""

    def __init__(self, target: Path, snapshot_id: int, *, label: str = "", work: Path) -> None:
        self.target = target
        self.snapshot_id = snapshot_id
        self.label = label
        self.work = work
        self._temp = work / (target.name + ".tmp")
        self._out = _Hashed(open(self._temp, "wb", buffering=1 << 20))
        self._out.handle.write(bytes(HEADER_BYTES))
        self._directory = [open(work / f"directory.{n}", "w+b") for n in range(len(DIRECTORY))]
        self._carry: Keys = np.empty(0, dtype=np.uint64)
        self._last = -1
        self.count = 0
        self.blocks = 0
        self.units = 0

    def feed(self, keys: Keys) -> None:
        """Add keys, each above every key fed before."""
        if keys.size == 0:
            return
        if int(keys[0]) <= self._last:
            raise ValueError("snapshot keys fed out of order")
        self._last = int(keys[-1])
        if self._carry.size:
            keys = np.concatenate((self._carry, keys))
        last_block = keys[-1] >> np.uint64(BLOCK_BITS)
        cut = int(np.searchsorted(keys >> np.uint64(BLOCK_BITS), last_block, side="left"))
        self._carry = keys[cut:].copy()
        self._encode(keys[:cut])

    def copy_blocks(
        self, highs: NDArray[np.uint64], counts: NDArray[np.uint32], data: memoryview
    ) -> None:
        """Whole blocks taken as stored from another snapshot, above every key fed so far."""
        if highs.size == 0:
            return
        if int(highs[0]) << BLOCK_BITS <= self._last:
            raise ValueError("snapshot blocks copied out of order")
        self._encode(self._carry)
        self._carry = np.empty(0, dtype=np.uint64)
        sizes = np.where(counts > ARRAY_MAX, BITMAP_UNITS, counts).astype(np.int64)
        if 2 * int(sizes.sum()) != len(data):
            raise ValueError("copied blocks do not match their data")
        starts = np.zeros(highs.size, dtype=np.int64)
        np.cumsum(sizes[:-1], out=starts[1:])
        self._out.write(data)
        self._directory_add(highs, starts, counts)
        self.units += int(sizes.sum())
        self.count += int(counts.sum(dtype=np.int64))
        self._last = (int(highs[-1]) << BLOCK_BITS) | LOW_MASK

    def _directory_add(
        self, highs: NDArray[np.uint64], starts: NDArray[np.int64], counts: NDArray[Any]
    ) -> None:
        columns = (highs, starts + self.units, counts)
        for handle, column, dtype in zip(self._directory, columns, DIRECTORY, strict=True):
            handle.write(column.astype(dtype).tobytes())
        self.blocks += highs.size

    def _encode(self, keys: Keys) -> None:
        """Whole blocks of keys → data region and directory entries."""
        n = keys.size
        if n == 0:
            return
        highs = keys >> np.uint64(BLOCK_BITS)
        first = np.flatnonzero(np.concatenate(([True], highs[1:] != highs[:-1])))
        counts = np.diff(np.append(first, n))
        dense = counts > ARRAY_MAX
        sizes = np.where(dense, BITMAP_UNITS, counts)
        starts = np.zeros(first.size, dtype=np.int64)
        np.cumsum(sizes[:-1], out=starts[1:])
        data = np.empty(int(sizes.sum()), dtype="<u2")
        lows = (keys & np.uint64(LOW_MASK)).astype(np.uint16)
        block_of = np.repeat(np.arange(first.size), counts)
        sparse_key = ~dense[block_of]
        # A key of an array block goes to its block's start plus its rank in the block.
        where = (starts - first)[block_of] + np.arange(n)
        data[where[sparse_key]] = lows[sparse_key]
        if dense.any():
            data[_bitmap_slots(starts[dense])] = _bitmaps(
                lows[~sparse_key], np.cumsum(dense)[block_of[~sparse_key]] - 1, int(dense.sum())
            )
        self._out.write(data.tobytes())
        self._directory_add(highs[first], starts, counts)
        self.units += data.size
        self.count += n

    def finish(self) -> SnapshotInfo:
        """Write the directory and header, make the file durable and give it its name."""
        self._encode(self._carry)
        self._carry = np.empty(0, dtype=np.uint64)
        pad = -self._out.written % 8
        self._out.write(bytes(pad))
        for handle in self._directory:
            handle.seek(0)
            while block := handle.read(COPY_BYTES):
                self._out.write(block)
            handle.close()
        header = Header(
            snapshot_id=self.snapshot_id,
            count=self.count,
            blocks=self.blocks,
            data_units=self.units,
            digest=self._out.hash.digest(),
            label=self.label,
        )
        out = self._out.handle
        out.seek(0)
        out.write(header.pack())
        out.flush()
        os.fsync(out.fileno())
        out.close()
        publish(self._temp, self.target)
        return SnapshotInfo(
            path=self.target,
            snapshot_id=self.snapshot_id,
            count=self.count,
            blocks=self.blocks,
            file_bytes=header.file_bytes,
            digest=header.digest.hex(),
        )

    def abort(self) -> None:
        for handle in (self._out.handle, *self._directory):
            handle.close()
        self._temp.unlink(missing_ok=True)


def publish(temp: Path, target: Path) -> None:
    """Rename a complete, fsynced file over ``target`` and make the rename durable."""
    os.replace(temp, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _bitmap_slots(starts: NDArray[np.int64]) -> NDArray[np.int64]:
    """Positions in the data region of every unit of the bitmaps starting at ``starts``."""
    return (starts[:, None] + np.arange(BITMAP_UNITS)).ravel()


def _bitmaps(lows: NDArray[np.uint16], rank: NDArray[np.int64], blocks: int) -> NDArray[np.uint16]:
    """One 8 KiB bitmap per dense block: bit ``low`` of block ``rank`` set, as uint16 units."""
    bits = np.zeros(blocks << BLOCK_BITS, dtype=bool)
    bits[(rank << BLOCK_BITS) + lows] = True
    return np.packbits(bits, bitorder="little").view("<u2")
