"""An import that dies at any point leaves the previous snapshot answering, whole."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import NANP, dense_block, mixed_keys

from dnc.snapshots import discard_leftovers, open_snapshot, write_snapshot
from dnc.snapshots import encode as encode_module


def _previous(path: Path) -> np.ndarray:
    keys = dense_block(NANP >> 16)
    write_snapshot(path, 1, [keys])
    return keys


def _still_the_previous(path: Path, keys: np.ndarray) -> None:
    with open_snapshot(path) as snapshot:
        assert snapshot.snapshot_id == 1
        assert snapshot.contains_many(keys).all()
        assert snapshot.count == keys.size


def test_an_error_mid_write_leaves_no_file_and_no_litter(tmp_path: Path) -> None:
    def chunks() -> Iterator[np.ndarray]:
        yield mixed_keys()
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_snapshot(tmp_path / "us.snap", 2, chunks(), run_keys=10_000)
    assert list(tmp_path.iterdir()) == []


def test_an_error_mid_write_keeps_the_previous_file_under_its_name(tmp_path: Path) -> None:
    path = tmp_path / "us.snap"
    keys = _previous(path)

    def chunks() -> Iterator[np.ndarray]:
        yield mixed_keys()
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_snapshot(path, 2, chunks(), run_keys=10_000)
    _still_the_previous(path, keys)
    assert [p.name for p in tmp_path.iterdir()] == ["us.snap"]


def test_a_failure_at_the_rename_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "us.snap"
    keys = _previous(path)

    def refuse(temp: Path, target: Path) -> None:
        raise OSError("rename refused")

    monkeypatch.setattr(encode_module, "publish", refuse)
    with pytest.raises(OSError):
        write_snapshot(path, 2, [mixed_keys()])
    _still_the_previous(path, keys)
    assert [p.name for p in tmp_path.iterdir()] == ["us.snap"]


WRITER = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from dnc.snapshots import SnapshotWriter
    writer = SnapshotWriter(sys.argv[1], 2, run_keys=5_000)
    rng = np.random.default_rng(1)
    for round in range(1_000_000):
        writer.add(rng.integers(10**10, 2 * 10**10, 4_000, dtype=np.uint64))
        if round == 3:
            print("writing", flush=True)
    """
)


def test_kill_9_mid_import_leaves_the_previous_snapshot_answering(tmp_path: Path) -> None:
    path = tmp_path / "us.snap"
    keys = _previous(path)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "writing"
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait()
    _still_the_previous(path, keys)
    litter = [p for p in tmp_path.iterdir() if p.name != "us.snap"]
    assert litter and all(p.name.startswith(".snapwrite-") for p in litter)
    assert discard_leftovers(tmp_path) == litter
    assert [p.name for p in tmp_path.iterdir()] == ["us.snap"]


def test_leftovers_of_a_live_writer_are_kept(tmp_path: Path) -> None:
    live = tmp_path / f".snapwrite-{os.getpid()}-abc"
    live.mkdir()
    assert discard_leftovers(tmp_path) == []
    assert live.exists()
