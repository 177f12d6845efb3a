"""Properties: a snapshot answers as a Python set of the same numbers would."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dnc.snapshots import apply_changes, open_snapshot, shared_count, write_snapshot

LAST_HIGH = (10**15 - 1) >> 16
HIGHS = st.sampled_from([183_342, 183_343, 250_000, LAST_HIGH])  # a few blocks, shared


@st.composite
def key_sets(draw: st.DrawFn) -> np.ndarray:
    """Keys scattered over every length, and crowded into a few blocks (some bitmaps)."""
    scattered = draw(st.lists(st.integers(10**6, 10**15 - 1), max_size=40))
    parts = [np.array(scattered, dtype=np.uint64)]
    for _ in range(draw(st.integers(0, 2))):
        high = draw(HIGHS)
        start = draw(st.integers(0, 65_535))
        step = draw(st.sampled_from([1, 2, 7, 13, 300]))
        count = draw(st.integers(1, 4_500))
        lows = np.arange(start, min(65_536, start + step * count), step, dtype=np.uint64)
        parts.append((np.uint64(high) << np.uint64(16)) | lows)
    keys = np.concatenate(parts)
    return keys[keys < 10**15]


def _probes(keys: np.ndarray, extra: list[int]) -> np.ndarray:
    near = np.concatenate((keys, keys + np.uint64(1), keys - np.uint64(1)))
    near = near[(near >= 1) & (near < 10**15)]
    return np.concatenate((near, np.array(extra, dtype=np.uint64)))


@settings(max_examples=30, deadline=None)
@given(key_sets(), st.lists(st.integers(1, 10**15 - 1), max_size=20), st.integers(1, 5_000))
def test_membership_is_set_membership(keys: np.ndarray, extra: list[int], run_keys: int) -> None:
    listed = set(keys.tolist())
    probes = _probes(keys, extra)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.snap"
        write_snapshot(path, 1, np.array_split(keys, 3), run_keys=run_keys)
        with open_snapshot(path) as snapshot:
            singles = [snapshot.contains(int(k)) for k in probes]
            assert singles == [int(k) in listed for k in probes]
            assert snapshot.contains_many(probes).tolist() == singles
            ordered = np.sort(probes)
            assert snapshot.contains_many(ordered).tolist() == [int(k) in listed for k in ordered]
            got = [int(k) for part in snapshot.iter_keys(batch=1_000) for k in part]
            assert got == sorted(listed)
            assert snapshot.count == len(listed)


@settings(max_examples=20, deadline=None)
@given(key_sets(), key_sets(), key_sets())
def test_a_change_list_is_set_algebra(old: np.ndarray, add: np.ndarray, delete: np.ndarray) -> None:
    before = set(old.tolist())
    after = (before | set(add.tolist())) - set(delete.tolist())
    with tempfile.TemporaryDirectory() as folder:
        write_snapshot(Path(folder) / "1.snap", 1, [old])
        with open_snapshot(Path(folder) / "1.snap") as base:
            result = apply_changes(base, Path(folder) / "2.snap", 2, add=add, delete=delete)
        with (
            open_snapshot(Path(folder) / "2.snap") as new,
            open_snapshot(Path(folder) / "1.snap") as base,
        ):
            assert [int(k) for part in new.iter_keys(batch=700) for k in part] == sorted(after)
            assert shared_count(base, new) == shared_count(new, base) == len(before & after)
            probes = _probes(np.concatenate((old, add, delete)), [])
            assert new.contains_many(probes).tolist() == [int(k) in after for k in probes]
    assert (result.added, result.removed) == (len(after - before), len(before - after))
