"""A snapshot cut into checksummed parts is rebuilt byte for byte, or not at all."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest
from conftest import mixed_keys

from dnc.errors import SnapshotError
from dnc.snapshots import (
    Manifest,
    Part,
    assemble,
    iter_parts,
    manifest,
    open_snapshot,
    write_snapshot,
)

PART = 4_096


def _source(tmp_path: Path) -> tuple[Path, list[Part], Manifest]:
    path = tmp_path / "db" / "us.snap"
    write_snapshot(path, 12, [mixed_keys()], label="us-national")
    with open_snapshot(path) as snapshot:
        return path, list(iter_parts(snapshot, PART)), manifest(snapshot, PART)


def test_parts_reassemble_into_the_same_file(tmp_path: Path) -> None:
    path, parts, wanted = _source(tmp_path)
    assert len(parts) == wanted.parts > 1
    local = assemble(parts, tmp_path / "host" / "us.snap", wanted)
    assert local.read_bytes() == path.read_bytes()
    with open_snapshot(local, expect_id=12) as snapshot:
        assert snapshot.label == "us-national"
    assert [p.name for p in local.parent.iterdir()] == ["us.snap"]


def _refused(tmp_path: Path, parts: list[Part], wanted: Manifest, problem: str) -> None:
    target = tmp_path / "host" / "us.snap"
    with pytest.raises(SnapshotError) as caught:
        assemble(parts, target, wanted)
    assert caught.value.problem == problem
    assert caught.value.path == str(target)
    assert list(target.parent.iterdir()) == []


def test_a_damaged_part_is_refused(tmp_path: Path) -> None:
    _, parts, wanted = _source(tmp_path)
    bad = bytearray(parts[1].data)
    bad[7] ^= 1
    parts[1] = dataclasses.replace(parts[1], data=bytes(bad))
    _refused(tmp_path, parts, wanted, "corrupt")


def test_a_part_damaged_with_a_matching_checksum_is_refused_by_the_file_checksum(
    tmp_path: Path,
) -> None:
    _, parts, wanted = _source(tmp_path)
    bad = bytearray(parts[2].data)
    bad[7] ^= 1
    parts[2] = Part(2, bytes(bad), hashlib.sha256(bad).digest())
    _refused(tmp_path, parts, wanted, "corrupt")


def test_a_missing_or_extra_part_is_refused(tmp_path: Path) -> None:
    _, parts, wanted = _source(tmp_path)
    _refused(tmp_path, parts[:-1], wanted, "missing_part")
    _refused(tmp_path, parts[:1] + parts[2:], wanted, "missing_part")
    _refused(
        tmp_path, [*parts, Part(len(parts), b"x", hashlib.sha256(b"x").digest())], wanted, "corrupt"
    )


def test_parts_of_another_snapshot_are_refused(tmp_path: Path) -> None:
    _, parts, wanted = _source(tmp_path)
    other = dataclasses.replace(wanted, snapshot_id=13)
    _refused(tmp_path, parts, other, "wrong_snapshot")
    other = dataclasses.replace(wanted, digest="00" * 32)
    _refused(tmp_path, parts, other, "wrong_snapshot")
