"""Which payload for a registry snapshot? The candidates side by side on the same numbers.

    pip install pyroaring        # only for this comparison; dnc does not depend on it
    python bench/snapshot_layouts.py [--numbers 20000000] [--lookups 100000] [--many 1000000]

Numbers as snapshot_bench.py generates them (registry_generate.py's US
distribution), held sorted and unique in memory; then for each layout:
bytes per number, build time from that sorted array, load time in a new
process, single look-up p50/p99 from Python (half hits, half near misses,
warm), and vectorised membership of --many keys, sorted and unsorted:

- sorted-u64: the keys as a flat uint64 file, mapped; bisect over a
  memoryview for one key, numpy.searchsorted for many;
- blocks-u16: directory by key >> 16, every block a sorted uint16 array;
- blocks16 (dnc.snapshots): the same with blocks over 4,096 keys as 8 KiB bitmaps;
- roaring64: one pyroaring BitMap64 (``in`` for one key; for many, the
  intersection with a bitmap of the keys, then numpy.isin);
- roaring-per-area: one pyroaring BitMap per area code (key // 10**7).

pyroaring cannot be mapped: each process deserialises its own copy.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from bisect import bisect_left
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from snapshot_bench import NANP, area_codes, code_numbers, generated

from dnc.snapshots import open_snapshot, write_snapshot
from dnc.snapshots.reader import _search


def keys_for(numbers: int, seed: int) -> np.ndarray:
    span = 7_600_000 // -(-numbers // len(area_codes()))
    parts = [
        code_numbers(code, want, span, np.random.default_rng(code_seed))
        for code, want, code_seed in generated(numbers, seed)
    ]
    return np.concatenate(parts) + np.uint64(NANP)


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def single(contains: Callable[[int], bool], probes: list[int]) -> str:
    for key in probes:
        contains(key)
    clock = time.perf_counter_ns
    samples = []
    for key in probes:
        start = clock()
        contains(key)
        samples.append(clock() - start)
    samples.sort()
    return f"{samples[len(samples) // 2] / 1000:.2f}/{samples[int(len(samples) * 0.99)] / 1000:.2f}"


def many(contains_many: Callable[[np.ndarray], np.ndarray], probes: np.ndarray) -> str:
    rates = []
    for order in (np.sort(probes), probes):
        contains_many(order)
        best = min(timed(lambda o=order: contains_many(o))[0] for _ in range(3))
        rates.append(f"{order.size / best / 1e6:.1f}")
    return "/".join(rates)


class SortedU64:
    def __init__(self, path: Path) -> None:
        self.array = np.memmap(path, dtype="<u8", mode="r")
        self.view = memoryview(self.array).cast("B").cast("Q")
        self.size = len(self.view)

    def contains(self, key: int) -> bool:
        at = bisect_left(self.view, key)
        return at < self.size and self.view[at] == key

    def contains_many(self, keys: np.ndarray) -> np.ndarray:
        at = np.searchsorted(self.array, keys)
        np.minimum(at, self.size - 1, out=at)
        return self.array[at] == keys


class BlocksU16:
    """Every block a sorted uint16 array: 2 bytes a number plus the directory."""

    def __init__(self, keys: np.ndarray, path: Path) -> None:
        highs = keys >> np.uint64(16)
        first = np.flatnonzero(np.concatenate(([True], highs[1:] != highs[:-1])))
        counts = np.diff(np.append(first, keys.size))
        (keys & np.uint64(0xFFFF)).astype("<u2").tofile(path)
        self.data = np.memmap(path, dtype="<u2", mode="r")
        self.lows = memoryview(self.data).cast("B").cast("H")
        self.highs = highs[first]
        self.starts = first
        self.counts = counts
        self.index = dict(zip(self.highs.tolist(), ((first << 17) | counts).tolist(), strict=True))
        self.bytes = self.data.nbytes + 20 * first.size

    def contains(self, key: int) -> bool:
        packed = self.index.get(key >> 16)
        if packed is None:
            return False
        start = packed >> 17
        end = start + (packed & 0x1FFFF)
        low = key & 0xFFFF
        at = bisect_left(self.lows, low, start, end)
        return at < end and self.lows[at] == low

    def contains_many(self, keys: np.ndarray) -> np.ndarray:
        block = np.searchsorted(self.highs, keys >> np.uint64(16))
        np.minimum(block, self.highs.size - 1, out=block)
        found = np.zeros(keys.size, dtype=bool)
        hit = np.flatnonzero(self.highs[block] == keys >> np.uint64(16))
        lows = (keys[hit] & np.uint64(0xFFFF)).astype(np.uint16)
        found[hit] = _search(
            self.data, self.starts[block[hit]], self.counts[block[hit]].astype(np.uint32), lows
        )
        return found


def roaring_rows(keys: np.ndarray, folder: Path, probes: list[int], queries: np.ndarray) -> list:
    import pyroaring

    rows = []
    build, bitmap = timed(lambda: pyroaring.BitMap64(keys))
    path = folder / "r64"
    path.write_bytes(bitmap.serialize())
    load, bitmap = timed(lambda: pyroaring.BitMap64.deserialize(path.read_bytes()))

    def r64_many(q: np.ndarray) -> np.ndarray:
        both = pyroaring.BitMap64(q) & bitmap
        return np.isin(q, np.array(both.to_array(), dtype=np.uint64))

    rows.append(
        (
            "roaring64",
            path.stat().st_size,
            build,
            load,
            single(bitmap.__contains__, probes),
            many(r64_many, queries),
        )
    )

    def per_area() -> dict[int, Any]:
        code = keys // np.uint64(10_000_000)  # 1 and the area code
        cut = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1], [True])))
        return {
            int(code[a]): pyroaring.BitMap((keys[a:b] % np.uint64(10_000_000)).astype(np.uint32))
            for a, b in zip(cut[:-1], cut[1:], strict=True)
        }

    build, maps = timed(per_area)
    size = sum(len(m.serialize()) for m in maps.values())

    def area_contains(key: int) -> bool:
        found = maps.get(key // 10_000_000)
        return found is not None and key % 10_000_000 in found

    def area_many(q: np.ndarray) -> np.ndarray:
        order = np.argsort(q, kind="stable")
        ordered = q[order]
        code = ordered // np.uint64(10_000_000)
        out = np.zeros(q.size, dtype=bool)
        cut = np.flatnonzero(np.concatenate(([True], code[1:] != code[:-1], [True])))
        for a, b in zip(cut[:-1], cut[1:], strict=True):
            bitmap = maps.get(int(code[a]))
            if bitmap is None:
                continue
            low = (ordered[a:b] % np.uint64(10_000_000)).astype(np.uint32)
            both = pyroaring.BitMap(low) & bitmap
            out[order[a:b]] = np.isin(low, np.array(both.to_array(), dtype=np.uint32))
        return out

    rows.append(
        (
            "roaring-per-area",
            size,
            build,
            float("nan"),
            single(area_contains, probes),
            many(area_many, queries),
        )
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--numbers", type=int, default=20_000_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--lookups", type=int, default=100_000)
    parser.add_argument("--many", type=int, default=1_000_000)
    args = parser.parse_args()
    keys = keys_for(args.numbers, args.seed)
    rng = np.random.default_rng(9)
    picked = rng.choice(keys, args.lookups // 2)
    probes = np.concatenate((picked, picked + np.uint64(1)))
    rng.shuffle(probes)
    probe_list = probes.tolist()
    queries = np.concatenate(
        (rng.choice(keys, args.many // 2), rng.choice(keys, args.many // 2) + np.uint64(1))
    )
    rng.shuffle(queries)
    rows = []
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent / "data") as tmp:
        folder = Path(tmp)
        build, _ = timed(lambda: keys.astype("<u8").tofile(folder / "u64"))
        load, flat = timed(lambda: SortedU64(folder / "u64"))
        rows.append(
            (
                "sorted-u64",
                keys.nbytes,
                build,
                load,
                single(flat.contains, probe_list),
                many(flat.contains_many, queries),
            )
        )
        del flat
        build, blocks = timed(lambda: BlocksU16(keys, folder / "u16"))
        rows.append(
            (
                "blocks-u16",
                blocks.bytes,
                build,
                float("nan"),
                single(blocks.contains, probe_list),
                many(blocks.contains_many, queries),
            )
        )
        del blocks
        build, info = timed(lambda: write_snapshot(folder / "snap", 1, [keys]))
        load, snap = timed(lambda: open_snapshot(folder / "snap", verify=False))
        rows.append(
            (
                "blocks16 (chosen)",
                info.file_bytes,
                build,
                load,
                single(snap.contains, probe_list),
                many(snap.contains_many, queries),
            )
        )
        snap.close()
        try:
            rows.extend(roaring_rows(keys, folder, probe_list, queries))
        except ImportError:
            print("(pyroaring not installed: roaring rows left out)")
    print(f"{keys.size:,} numbers; single = p50/p99 us; many = M keys/s sorted/unsorted")
    print(f"{'layout':20} {'B/number':>9} {'build s':>8} {'load s':>7} {'single':>12} {'many':>11}")
    for name, size, build, load, one, lots in rows:
        print(f"{name:20} {size / keys.size:9.2f} {build:8.2f} {load:7.3f} {one:>12} {lots:>11}")


if __name__ == "__main__":
    main()
