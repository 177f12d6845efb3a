"""Moving a snapshot file between hosts in fixed-size parts (e.g. rows of a database table).

Hosts share a database but no file system. The importing host stores the
file as numbered parts of ``PART_BYTES`` with a SHA-256 each, beside a
``Manifest`` (snapshot id, size, part count, the payload's SHA-256 from the
header). Any other host rebuilds a verified local copy with ``assemble``:
each part's checksum as it arrives, then the whole file's own checksum,
then an atomic rename; a missing, extra, short or damaged part raises
``SnapshotError`` and leaves no file behind under the final name.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from dnc.errors import SnapshotError
from dnc.snapshots.encode import publish, work_dir
from dnc.snapshots.reader import Snapshot, open_snapshot

PART_BYTES = 16 << 20


@dataclass(frozen=True, slots=True)
class Manifest:
    """What a host needs to know to fetch and check a snapshot's parts."""

    snapshot_id: int
    label: str
    count: int
    file_bytes: int
    part_bytes: int
    parts: int
    digest: str


@dataclass(frozen=True, slots=True)
class Part:
    """One piece of a snapshot file: its place, its bytes and their SHA-256."""

    index: int
    data: bytes
    digest: bytes


def manifest(snapshot: Snapshot, part_bytes: int = PART_BYTES) -> Manifest:
    size = snapshot.header.file_bytes
    return Manifest(
        snapshot_id=snapshot.snapshot_id,
        label=snapshot.label,
        count=snapshot.count,
        file_bytes=size,
        part_bytes=part_bytes,
        parts=-(-size // part_bytes),
        digest=snapshot.header.digest.hex(),
    )


def iter_parts(snapshot: Snapshot, part_bytes: int = PART_BYTES) -> Iterator[Part]:
    """The file of an open (and verified) snapshot as ``manifest(snapshot).parts`` parts."""
    with open(snapshot.path, "rb") as handle:
        index = 0
        while data := handle.read(part_bytes):
            yield Part(index, data, hashlib.sha256(data).digest())
            index += 1


def assemble(parts: Iterable[Part], path: str | Path, expected: Manifest) -> Path:
    """Write the parts to ``path`` once every check passes; never a partial file there."""
    target = Path(path)
    work = work_dir(target)
    temp = work / (target.name + ".tmp")
    try:
        _write_parts(parts, temp, expected, str(target))
        with open_snapshot(temp, verify=True, expect_id=expected.snapshot_id) as snapshot:
            if snapshot.header.digest.hex() != expected.digest:
                _fail(str(target), "wrong_snapshot", "payload checksum differs from the manifest")
        publish(temp, target)
    except SnapshotError as exc:
        if exc.path == str(temp):
            raise SnapshotError(str(target), exc.problem, exc.why) from None
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _write_parts(parts: Iterable[Part], temp: Path, expected: Manifest, name: str) -> None:
    written = 0
    count = 0
    with open(temp, "wb") as handle:
        for part in parts:
            if part.index != count:
                _fail(name, "missing_part", f"part {part.index} came where {count} was due")
            last = count == expected.parts - 1
            want = expected.file_bytes - written if last else expected.part_bytes
            if count >= expected.parts or len(part.data) != want:
                _fail(name, "corrupt", f"part {part.index} holds {len(part.data)} bytes")
            if hashlib.sha256(part.data).digest() != part.digest:
                _fail(name, "corrupt", f"part {part.index} checksum mismatch")
            handle.write(part.data)
            written += len(part.data)
            count += 1
        if count != expected.parts:
            _fail(name, "missing_part", f"{count} parts of {expected.parts}")
        handle.flush()
        os.fsync(handle.fileno())


def _fail(path: str, problem: str, why: str) -> NoReturn:
    raise SnapshotError(path, problem, why)
