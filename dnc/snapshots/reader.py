"""Reading a snapshot: memory-mapped, read-only, shared by every process through the page cache.

``open_snapshot`` checks the header and the directory (cheap: a few bytes
per block) and, unless told not to, the SHA-256 of the whole payload (one
read of the file). Anything wrong raises ``SnapshotError``: a damaged file
must never answer "not listed".

A single ``contains`` runs in pure Python over ``memoryview`` casts of the
mapping: a dictionary from block to its place, then one byte of a bitmap
or a ``bisect`` over at most 4,096 uint16 values. ``contains_many`` does
the same for a whole array in numpy.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import sys
from bisect import bisect_left
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn

import numpy as np
from numpy.typing import NDArray

from dnc.errors import SnapshotError
from dnc.snapshots.format import (
    ARRAY_MAX,
    BITMAP_UNITS,
    BLOCK_BITS,
    DIRECTORY,
    HEADER_BYTES,
    KEY_LIMIT,
    LOW_MASK,
    Header,
    unpack_header,
)
from dnc.snapshots.keys import Keys

ITER_KEYS = 4 << 20
VERIFY_BYTES = 16 << 20
SEARCH_SLICE = 1 << 16
_COUNT_BITS = 17  # a block's count (1..65,536) packed under its start in the index
_COUNT_MASK = (1 << _COUNT_BITS) - 1


def open_snapshot(
    path: str | Path, *, verify: bool = True, expect_id: int | None = None
) -> Snapshot:
    """Open a snapshot file; ``verify`` also checks the payload's checksum (reads the file).

    ``expect_id``: the snapshot id the database says is current; a file
    holding any other raises SnapshotError.
    """
    snapshot = Snapshot(Path(path))
    try:
        if expect_id is not None and snapshot.snapshot_id != expect_id:
            snapshot.fail(
                "wrong_snapshot", f"holds snapshot {snapshot.snapshot_id}, expected {expect_id}"
            )
        if verify:
            snapshot.verify()
    except BaseException:
        snapshot.close()
        raise
    return snapshot


class Snapshot:
    """One immutable snapshot file, mapped read-only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if sys.byteorder != "little":
            self.fail("unsupported", "snapshot files are read on little-endian hosts only")
        header, self._map = self._mapped(path)
        self.header = header
        self.snapshot_id = header.snapshot_id
        self.count = header.count
        self.label = header.label
        self.blocks = header.blocks
        units = header.data_units
        self._data = np.frombuffer(self._map, dtype="<u2", count=units, offset=HEADER_BYTES)
        self._bytes = np.frombuffer(self._map, dtype=np.uint8, count=2 * units, offset=HEADER_BYTES)
        offset = header.directory_offset
        columns = []
        for dtype in DIRECTORY:
            columns.append(np.frombuffer(self._map, dtype=dtype, count=self.blocks, offset=offset))
            offset += columns[-1].nbytes
        self._highs, self._starts, self._counts = columns
        self._check_directory()
        view = memoryview(self._map)
        self._lows = view[HEADER_BYTES : HEADER_BYTES + 2 * units].cast("H")
        self._bits = view[HEADER_BYTES : HEADER_BYTES + 2 * units]
        packed = (self._starts.astype(np.int64) << _COUNT_BITS) | self._counts
        index = dict(zip(self._highs.tolist(), packed.tolist(), strict=True))
        self.contains: Callable[[int], bool] = _lookup(index, self._lows, self._bits)
        """Is ``key`` (E.164 digits as an int) in the snapshot? About a microsecond."""
        self._open = True

    def _mapped(self, path: Path) -> tuple[Header, mmap.mmap]:
        problem = ""
        try:
            with open(path, "rb") as handle:
                header = self._header(handle.read(HEADER_BYTES), os.fstat(handle.fileno()).st_size)
                return header, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        except FileNotFoundError:
            problem, why = "missing", "no such file"
        except OSError as exc:
            problem, why = "unreadable", exc.strerror or str(exc)
        self.fail(problem, why)  # outside the handler: one error, not a chain

    def fail(self, problem: str, why: str) -> NoReturn:
        raise SnapshotError(str(self.path), problem, why)

    def _header(self, raw: bytes, size: int) -> Header:
        header, problem, why = unpack_header(raw)
        if header is None:
            self.fail(problem, why)
        if size != header.file_bytes:
            problem = "truncated" if size < header.file_bytes else "corrupt"
            self.fail(problem, f"{size} bytes, the header says {header.file_bytes}")
        return header

    def _check_directory(self) -> None:
        """Cheap checks that make every read stay inside the file and in its block."""
        highs, starts, counts = self._highs, self._starts, self._counts
        if self.blocks == 0:
            if self.count or self.header.data_units:
                self.fail("corrupt", "no blocks but keys or data")
            return
        sizes = np.where(counts > ARRAY_MAX, BITMAP_UNITS, counts).astype(np.uint64)
        expected = np.zeros(self.blocks, dtype=np.uint64)
        np.cumsum(sizes[:-1], out=expected[1:])
        if not (
            bool((highs[1:] > highs[:-1]).all())
            and int(highs[-1]) <= (KEY_LIMIT - 1) >> BLOCK_BITS
            and int(counts.min()) >= 1
            and int(counts.max()) <= 1 << BLOCK_BITS
            and bool((starts == expected).all())
            and int(sizes.sum()) == self.header.data_units
            and int(counts.sum(dtype=np.uint64)) == self.count
        ):
            self.fail("corrupt", "the block directory is inconsistent")

    def verify(self) -> None:
        """Check the payload's SHA-256 against the header's (reads the whole file)."""
        digest = hashlib.sha256()
        view = memoryview(self._map)
        for start in range(HEADER_BYTES, len(self._map), VERIFY_BYTES):
            digest.update(view[start : start + VERIFY_BYTES])
        view.release()
        if digest.digest() != self.header.digest:
            self.fail("corrupt", "payload checksum mismatch")

    def _closed(self, key: int) -> bool:
        self.fail("closed", "look-up after close()")

    def __contains__(self, key: int) -> bool:
        return self.contains(key)

    def contains_many(self, keys: NDArray[np.integer]) -> NDArray[np.bool_]:
        """Membership of every key of an array; fastest when ``keys`` is sorted."""
        if not self._open:
            self._closed(0)
        keys = np.asarray(keys)
        if keys.dtype.kind not in "iu":
            raise ValueError(f"snapshot keys are integers, not {keys.dtype}")
        if keys.dtype != np.uint64:
            # Negative keys cannot be listed: map them to one that cannot be either.
            keys = np.where(keys < 0, KEY_LIMIT, keys).astype(np.uint64)
        found = np.zeros(keys.shape, dtype=bool)
        if self.blocks == 0 or keys.size == 0:
            return found
        flat: NDArray[np.uint64] = keys.ravel().astype(np.uint64, copy=False)
        block = self._blocks_of(flat >> np.uint64(BLOCK_BITS))
        hit = np.flatnonzero(block >= 0)
        block = block[hit]
        lows = (flat[hit] & np.uint64(LOW_MASK)).astype(np.uint16)
        counts = self._counts[block]
        starts = self._starts[block].astype(np.int64)
        dense = counts > ARRAY_MAX
        out = found.ravel()
        if dense.any():
            low = lows[dense].astype(np.int64)
            byte = self._bytes[2 * starts[dense] + (low >> 3)]
            out[hit[dense]] = (byte >> (low & 7)) & 1 == 1
        sparse = ~dense
        if sparse.any():
            out[hit[sparse]] = _search(self._data, starts[sparse], counts[sparse], lows[sparse])
        return found

    def _blocks_of(self, highs: NDArray[np.uint64]) -> NDArray[np.int64]:
        """The block index of each ``key >> 16``, or -1 where there is no such block."""
        sorted_input = highs.size < 2 or bool((highs[1:] >= highs[:-1]).all())
        if sorted_input:
            # Look each distinct block up once: a scrub's keys come in number order.
            first = np.flatnonzero(np.concatenate(([True], highs[1:] != highs[:-1])))
            wanted = highs[first]
        else:
            wanted = highs
        block = np.searchsorted(self._highs, wanted).astype(np.int64)
        np.minimum(block, self.blocks - 1, out=block)
        block[self._highs[block] != wanted] = -1
        if sorted_input:
            block = np.repeat(block, np.diff(np.append(first, highs.size)))
        return block

    def iter_keys(self, batch: int = ITER_KEYS) -> Iterator[Keys]:
        """Every key in rising order, in arrays of about ``batch`` keys (whole blocks each)."""
        if not self._open:
            self._closed(0)
        for first, last in self.block_batches(0, self.blocks, batch):
            yield self.keys_in_blocks(first, last)

    @property
    def block_highs(self) -> NDArray[np.uint64]:
        """``key >> 16`` of every block, rising (read-only, mapped)."""
        return self._highs

    @property
    def block_counts(self) -> NDArray[np.uint32]:
        """Keys in every block; over ``ARRAY_MAX`` means the block is a bitmap (read-only)."""
        return self._counts

    def bitmaps(self, blocks: NDArray[np.integer]) -> NDArray[np.uint8]:
        """The 8 KiB bitmaps of the bitmap blocks at ``blocks``, one row each."""
        size = 2 * BITMAP_UNITS
        rows = [self._bytes[2 * a : 2 * a + size] for a in self._starts[blocks].tolist()]
        return np.concatenate(rows).reshape(-1, size) if rows else np.empty((0, size), np.uint8)

    def block_batches(self, first: int, last: int, batch: int) -> Iterator[tuple[int, int]]:
        """Ranges of whole blocks from ``first`` to ``last`` holding about ``batch`` keys each."""
        for start, stop in batches(self._counts[first:last], batch):
            yield first + start, first + stop

    def blocks_raw(
        self, first: int, last: int
    ) -> tuple[NDArray[np.uint64], NDArray[np.uint32], memoryview]:
        """Blocks as stored (highs, counts, data bytes), to copy into another snapshot whole."""
        highs, counts = self._highs[first:last], self._counts[first:last]
        if first == last:
            return highs, counts, memoryview(b"")
        start = int(self._starts[first])
        end = int(self._starts[last - 1]) + (
            BITMAP_UNITS if int(counts[-1]) > ARRAY_MAX else int(counts[-1])
        )
        return highs, counts, self._bits[2 * start : 2 * end]

    def keys_in_blocks(self, first: int, last: int) -> Keys:
        """The keys of blocks ``first`` to ``last`` (exclusive), decoded, rising."""
        return self.keys_of(np.arange(first, last))

    def keys_of(self, blocks: NDArray[np.integer]) -> Keys:
        """The keys of the blocks at rising indexes ``blocks``, decoded, rising."""
        counts = self._counts[blocks].astype(np.int64)
        starts = self._starts[blocks].astype(np.int64)
        highs = self._highs[blocks]
        out_start = np.zeros(counts.size, dtype=np.int64)
        np.cumsum(counts[:-1], out=out_start[1:])
        total = int(counts.sum())
        lows = np.empty(total, dtype=np.uint64)
        dense = counts > ARRAY_MAX
        sparse = np.flatnonzero(~dense)
        if sparse.size:
            n = counts[sparse]
            rank = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
            lows[np.repeat(out_start[sparse], n) + rank] = self._data[
                np.repeat(starts[sparse], n) + rank
            ]
        rows = np.flatnonzero(dense)
        if rows.size:
            size = 2 * BITMAP_UNITS
            maps = np.concatenate(
                [self._bytes[2 * a : 2 * a + size] for a in starts[rows].tolist()]
            )
            # One flat scan: numpy finds set bits in 1-D far faster than in 2-D.
            at = np.flatnonzero(np.unpackbits(maps, bitorder="little"))
            row, low = at >> BLOCK_BITS, at & LOW_MASK
            n = counts[rows]
            if row.size != int(n.sum()):
                self.fail("corrupt", "a bitmap block does not hold its count of keys")
            rank = np.arange(row.size) - np.repeat(np.cumsum(n) - n, n)
            lows[out_start[rows][row] + rank] = low
        block_high = np.repeat(highs, counts) << np.uint64(BLOCK_BITS)
        return block_high | lows

    def close(self) -> None:
        """Unmap the file. Only when nothing else reads it: drop the reference otherwise."""
        if not self._open:
            return
        self._open = False
        for view in (self._lows, self._bits):
            view.release()
        self.contains = self._closed
        del self._data, self._bytes, self._highs, self._starts, self._counts
        try:
            self._map.close()
        except BufferError:
            pass  # arrays handed out still use it; it unmaps when they go

    def __enter__(self) -> Snapshot:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def batches(counts: NDArray[np.integer], batch: int) -> Iterator[tuple[int, int]]:
    """Ranges of positions of ``counts`` adding up to about ``batch`` (at least one each)."""
    ends = np.cumsum(counts, dtype=np.int64)
    at = done = 0
    while at < ends.size:
        stop = max(int(np.searchsorted(ends, done + batch, side="right")), at + 1)
        yield at, stop
        done = int(ends[stop - 1])
        at = stop


def _lookup(index: dict[int, int], lows: memoryview, bits: memoryview) -> Callable[[int], bool]:
    """The single look-up as a closure: every name it uses is a local, the fastest Python has.

    ``index`` maps a block (``key >> 16``) to its start and count packed in
    one int, so one dictionary probe finds it; then one byte of a bitmap, or a
    ``bisect`` over the block's sorted uint16 values in the mapped file.
    """

    def contains(key: int) -> bool:
        packed = index.get(key >> BLOCK_BITS)
        if packed is None:
            return False
        low = key & LOW_MASK
        count = packed & _COUNT_MASK
        start = packed >> _COUNT_BITS
        if count > ARRAY_MAX:
            return bool(bits[2 * start + (low >> 3)] >> (low & 7) & 1)
        end = start + count
        at = bisect_left(lows, low, start, end)
        return at < end and lows[at] == low

    return contains


def _search(
    data: NDArray[np.uint16],
    starts: NDArray[np.int64],
    counts: NDArray[np.uint32],
    lows: NDArray[np.uint16],
) -> NDArray[np.bool_]:
    """Binary search of every low in its own sorted array, all at once.

    Slices of ``SEARCH_SLICE`` keys go through every round before the next
    slice starts, so the arrays they probe stay in the CPU cache.
    """
    index = np.int32 if data.size < 2**31 else np.int64
    found = np.empty(lows.size, dtype=bool)
    for first in range(0, lows.size, SEARCH_SLICE):
        part = slice(first, first + SEARCH_SLICE)
        base: NDArray[np.signedinteger[Any]] = starts[part].astype(index)
        length: NDArray[np.signedinteger[Any]] = counts[part].astype(index)
        want = lows[part]
        half = np.empty_like(base)
        at = np.empty_like(base)
        probe = np.empty_like(want)
        go = np.empty(want.size, dtype=bool)
        for _ in range(int(length.max()).bit_length()):
            np.right_shift(length, 1, out=half)
            np.subtract(length, half, out=length)
            np.add(base, half, out=at)
            np.take(data, at, out=probe)
            np.less_equal(probe, want, out=go)
            np.multiply(half, go, out=half)
            np.add(base, half, out=base)
        np.take(data, base, out=probe)
        np.equal(probe, want, out=found[part])
    return found
