"""A change list makes a new snapshot: (old ∪ add) ∖ delete, the old file untouched."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import NANP, dense_block, mixed_keys

from dnc.snapshots import apply_changes, open_snapshot, write_snapshot


def _keys(path: Path) -> set[int]:
    with open_snapshot(path) as snapshot:
        return {int(k) for keys in snapshot.iter_keys(batch=500) for k in keys}


def test_adds_and_deletes_land_and_are_counted(tmp_path: Path) -> None:
    old = mixed_keys()
    write_snapshot(tmp_path / "1.snap", 1, [old], label="us-national")
    before = set(old.tolist())
    listed = sorted(before)
    add = [NANP + 1, listed[0], 19_999_999_999, 10**15 - 1, NANP + 1]
    delete = [listed[1], listed[-1], NANP + 2, 12_345_678]  # two are not listed
    with open_snapshot(tmp_path / "1.snap") as base:
        result = apply_changes(base, tmp_path / "2.snap", 2, add=add, delete=delete)
    after = (before | set(add)) - set(delete)
    assert _keys(tmp_path / "2.snap") == after
    assert (result.added, result.removed) == (len(after - before), len(before - after))
    assert result.info.count == len(after)
    assert _keys(tmp_path / "1.snap") == before
    with open_snapshot(tmp_path / "2.snap") as new:
        assert (new.snapshot_id, new.label) == (2, "us-national")


def test_a_number_both_added_and_deleted_ends_up_removed(tmp_path: Path) -> None:
    write_snapshot(tmp_path / "1.snap", 1, [np.array([NANP], dtype=np.uint64)])
    with open_snapshot(tmp_path / "1.snap") as base:
        result = apply_changes(
            base, tmp_path / "2.snap", 2, add=[NANP, NANP + 5], delete=[NANP, NANP + 5]
        )
    assert _keys(tmp_path / "2.snap") == set()
    assert (result.added, result.removed) == (0, 1)


def test_changes_turn_a_bitmap_block_into_an_array_and_back(tmp_path: Path) -> None:
    dense = dense_block(NANP >> 16)
    write_snapshot(tmp_path / "1.snap", 1, [dense])
    with open_snapshot(tmp_path / "1.snap") as base:
        apply_changes(base, tmp_path / "2.snap", 2, delete=dense[:-100])
    assert _keys(tmp_path / "2.snap") == set(dense[-100:].tolist())
    with open_snapshot(tmp_path / "2.snap") as base:
        apply_changes(base, tmp_path / "3.snap", 3, add=dense)
    assert _keys(tmp_path / "3.snap") == set(dense.tolist())


def test_changes_to_an_empty_snapshot(tmp_path: Path) -> None:
    write_snapshot(tmp_path / "1.snap", 1, [])
    with open_snapshot(tmp_path / "1.snap") as base:
        result = apply_changes(base, tmp_path / "2.snap", 2, add=[NANP], delete=[NANP + 1])
    assert _keys(tmp_path / "2.snap") == {NANP}
    assert (result.added, result.removed) == (1, 0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1.snap", "2.snap"]


def test_an_add_between_unchanged_blocks_opens_a_block_in_order(tmp_path: Path) -> None:
    block = 1 << 16
    old = [block * 15 + 7, block * 17 + 3, *range(block * 20, block * 20 + 5_000)]
    write_snapshot(tmp_path / "1.snap", 1, [np.array(old, dtype=np.uint64)])
    add = [block * 16 + 1, block * 18, block * 30]
    with open_snapshot(tmp_path / "1.snap") as base:
        result = apply_changes(base, tmp_path / "2.snap", 2, add=add)
    assert _keys(tmp_path / "2.snap") == set(old) | set(add)
    assert result.added == 3
    with open_snapshot(tmp_path / "2.snap") as new:
        assert new.blocks == 6
