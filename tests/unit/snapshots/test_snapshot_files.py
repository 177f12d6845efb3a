"""A snapshot file answers exactly for the keys written to it, or refuses to open."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import NANP, dense_block, mixed_keys

from dnc.errors import SnapshotError, StorageError
from dnc.snapshots import SnapshotWriter, open_snapshot, write_snapshot
from dnc.snapshots.format import HEADER_BYTES


def _everything(path: Path) -> list[int]:
    with open_snapshot(path) as snapshot:
        return [int(k) for keys in snapshot.iter_keys(batch=1_000) for k in keys]


@pytest.mark.parametrize("run_keys", [1 << 20, 20_000, 999])
def test_keys_in_any_order_with_duplicates_read_back_sorted_once(
    tmp_path: Path, run_keys: int
) -> None:
    keys = mixed_keys()
    chunks = np.array_split(keys, 7)
    info = write_snapshot(tmp_path / "us.snap", 42, chunks, label="us-national", run_keys=run_keys)
    expected = sorted(set(keys.tolist()))
    assert info.count == len(expected)
    assert _everything(tmp_path / "us.snap") == expected
    with open_snapshot(tmp_path / "us.snap") as snapshot:
        assert (snapshot.snapshot_id, snapshot.count, snapshot.label) == (
            42,
            len(expected),
            "us-national",
        )
        assert snapshot.header.file_bytes == (tmp_path / "us.snap").stat().st_size


def test_membership_of_listed_and_unlisted_numbers(tmp_path: Path) -> None:
    keys = mixed_keys()
    listed = set(keys.tolist())
    write_snapshot(tmp_path / "us.snap", 1, [keys])
    probes = np.concatenate((keys, keys + np.uint64(1), keys - np.uint64(1)))
    with open_snapshot(tmp_path / "us.snap") as snapshot:
        singles = [snapshot.contains(int(k)) for k in probes]
        assert singles == [int(k) in listed for k in probes]
        assert snapshot.contains_many(probes).tolist() == singles
        assert snapshot.contains_many(np.sort(probes)).tolist() == [
            int(k) in listed for k in np.sort(probes)
        ]
        assert (NANP in snapshot) is snapshot.contains(NANP)


def test_importer_digit_bytes_write_the_same_snapshot_as_integers(tmp_path: Path) -> None:
    keys = mixed_keys()
    text = "\n".join(map(str, keys.tolist())).encode()
    write_snapshot(tmp_path / "a.snap", 1, [keys])
    write_snapshot(
        tmp_path / "b.snap", 1, [text[: text.index(b"\n", 900)], text[text.index(b"\n", 900) + 1 :]]
    )
    assert (tmp_path / "a.snap").read_bytes() == (tmp_path / "b.snap").read_bytes()


def test_an_empty_snapshot_lists_nothing(tmp_path: Path) -> None:
    info = write_snapshot(tmp_path / "empty.snap", 9, [])
    assert info.count == 0
    with open_snapshot(tmp_path / "empty.snap") as snapshot:
        assert snapshot.count == 0
        assert not snapshot.contains(12_015_550_123)
        assert snapshot.contains_many(np.array([12_015_550_123], dtype=np.uint64)).tolist() == [
            False
        ]
        assert list(snapshot.iter_keys()) == []


def test_keys_of_every_length_and_the_largest_fifteen_digit_key(tmp_path: Path) -> None:
    keys = [int("4" + "1" * (n - 1)) for n in range(7, 16)] + [10**15 - 1, 10**6]
    write_snapshot(tmp_path / "world.snap", 1, [np.array(keys, dtype=np.uint64)])
    assert _everything(tmp_path / "world.snap") == sorted(keys)
    with open_snapshot(tmp_path / "world.snap") as snapshot:
        assert all(snapshot.contains(k) for k in keys)
        assert not snapshot.contains(10**15 - 2)
        assert not snapshot.contains(10**15)
        assert not snapshot.contains(-1)
        assert not snapshot.contains(2**70)
        wide = np.array([10**15 - 1, 10**15, 2**64 - 1, 0], dtype=np.uint64)
        assert snapshot.contains_many(wide).tolist() == [True, False, False, False]
        assert snapshot.contains_many(np.array([-1, 10**6], dtype=np.int64)).tolist() == [
            False,
            True,
        ]


def test_membership_of_anything_but_integers_is_refused(tmp_path: Path) -> None:
    with open_snapshot(_written(tmp_path)) as snapshot, pytest.raises(ValueError):
        snapshot.contains_many(np.array([12_015_550_123.0]))


def test_a_full_block_is_one_bitmap(tmp_path: Path) -> None:
    block = dense_block(NANP >> 16, 1)
    info = write_snapshot(tmp_path / "full.snap", 1, [block])
    assert (info.count, info.blocks) == (65_536, 1)
    assert info.file_bytes == HEADER_BYTES + 8_192 + 20
    with open_snapshot(tmp_path / "full.snap") as snapshot:
        assert snapshot.contains_many(block).all()
        assert not snapshot.contains(int(block[0]) - 1)


def _damage(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x40
    path.write_bytes(bytes(data))


def _written(tmp_path: Path) -> Path:
    path = tmp_path / "us.snap"
    write_snapshot(path, 3, [mixed_keys()])
    return path


@pytest.mark.parametrize(
    "where, problem",
    [(0, "not_a_snapshot"), (40, "corrupt"), (HEADER_BYTES + 100, "corrupt"), (-3, "corrupt")],
)
def test_a_damaged_byte_refuses_to_open(tmp_path: Path, where: int, problem: str) -> None:
    path = _written(tmp_path)
    _damage(path, where if where >= 0 else path.stat().st_size + where)
    with pytest.raises(SnapshotError) as caught:
        open_snapshot(path)
    assert caught.value.problem == problem
    assert caught.value.kind == "snapshot"
    assert isinstance(caught.value, StorageError)
    assert str(path) in str(caught.value)


def test_a_damaged_payload_is_found_by_the_checksum_when_not_at_open(tmp_path: Path) -> None:
    path = _written(tmp_path)
    _damage(path, HEADER_BYTES + 100)
    with open_snapshot(path, verify=False) as snapshot:
        with pytest.raises(SnapshotError, match="checksum"):
            snapshot.verify()


def test_a_damaged_directory_refuses_to_open_even_unverified(tmp_path: Path) -> None:
    path = _written(tmp_path)
    _damage(path, path.stat().st_size - 2)  # the last block's count
    with pytest.raises(SnapshotError, match="directory"):
        open_snapshot(path, verify=False)


@pytest.mark.parametrize("keep", [0, 10, HEADER_BYTES, HEADER_BYTES + 10, -1])
def test_a_truncated_file_refuses_to_open(tmp_path: Path, keep: int) -> None:
    path = _written(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[:keep])
    with pytest.raises(SnapshotError) as caught:
        open_snapshot(path, verify=False)
    assert caught.value.problem in {"truncated", "not_a_snapshot"}


def test_extra_bytes_after_the_payload_refuse_to_open(tmp_path: Path) -> None:
    path = _written(tmp_path)
    with open(path, "ab") as handle:
        handle.write(b"\0" * 8)
    with pytest.raises(SnapshotError, match="corrupt"):
        open_snapshot(path)


def test_a_missing_file_or_the_wrong_snapshot_refuses_to_open(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError) as caught:
        open_snapshot(tmp_path / "nowhere.snap")
    assert caught.value.problem == "missing"
    path = _written(tmp_path)
    with pytest.raises(SnapshotError) as caught:
        open_snapshot(path, expect_id=4)
    assert caught.value.problem == "wrong_snapshot"


def test_another_format_version_refuses_to_open(tmp_path: Path) -> None:
    import hashlib

    from dnc.snapshots.format import CHECK_BYTES, HEAD

    path = _written(tmp_path)
    data = bytearray(path.read_bytes())
    data[8:10] = (2).to_bytes(2, "little")
    data[HEAD.size : HEAD.size + CHECK_BYTES] = hashlib.sha256(data[: HEAD.size]).digest()[
        :CHECK_BYTES
    ]
    path.write_bytes(bytes(data))
    with pytest.raises(SnapshotError) as caught:
        open_snapshot(path)
    assert caught.value.problem == "version"


def test_a_reader_keeps_its_snapshot_while_the_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "us.snap"
    old_keys = dense_block(NANP >> 16)
    write_snapshot(path, 1, [old_keys])
    with open_snapshot(path) as old:
        write_snapshot(path, 2, [old_keys + np.uint64(1)])
        assert old.snapshot_id == 1
        assert old.contains_many(old_keys).all()
        assert not old.contains(int(old_keys[0]) + 1)
        with open_snapshot(path) as new:
            assert new.snapshot_id == 2
            assert new.contains(int(old_keys[0]) + 1)


def test_keys_outside_e164_are_refused_by_the_writer(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_snapshot(tmp_path / "bad.snap", 1, [np.array([10**15], dtype=np.uint64)])
    assert not (tmp_path / "bad.snap").exists()
    assert list(tmp_path.iterdir()) == []


def test_writing_stays_inside_its_writer(tmp_path: Path) -> None:
    with SnapshotWriter(tmp_path / "us.snap", 1, run_keys=10_000) as writer:
        writer.add(mixed_keys())
        assert not (tmp_path / "us.snap").exists()
        writer.finish()
    assert [p.name for p in tmp_path.iterdir()] == ["us.snap"]


def test_a_closed_snapshot_refuses_to_answer(tmp_path: Path) -> None:
    path = _written(tmp_path)
    snapshot = open_snapshot(path)
    snapshot.close()
    snapshot.close()
    with pytest.raises(SnapshotError, match="closed"):
        snapshot.contains(NANP)
    with pytest.raises(SnapshotError, match="closed"):
        snapshot.contains_many(np.array([NANP], dtype=np.uint64))
