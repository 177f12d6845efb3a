"""How long a new registry snapshot takes to reach another host.

    python bench/snapshot_fetch.py [--numbers 250000000] [--database-url URL]

Writes a snapshot file of ``--numbers`` US numbers (snapshot_bench.py's
generator), stores it in the database as parts (what an import does after
writing the file), then opens it as another host would: a ``SnapshotFiles``
on an empty folder, which fetches the parts, checks each and the whole
file, and renames it into place. Prints the file size and each step's
seconds and MB/s. On PostgreSQL the bench works in a scratch schema of its
own, dropped at the end; by default a SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from _common import scratch_schema
from snapshot_bench import write_text

import dnc
from dnc.snapshots import open_snapshot, write_snapshot
from dnc.storage import snapshot_repo
from dnc.storage.snapshot_files import SnapshotFiles


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--numbers", type=int, default=250_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        folder = Path(tmp)
        if args.database_url:
            url = stack.enter_context(scratch_schema(args.database_url))
        else:
            url = f"sqlite:///{folder / 'fetch.db'}"
        text = folder / "registry.txt"
        write_text(text, args.numbers, args.seed)
        service = dnc.open(url, create=True)
        engine = service.store.engine
        with engine.begin() as conn:
            file_id = snapshot_repo.new_file(conn, 0, "us-national", datetime.now(UTC))
        started = time.perf_counter()
        path = folder / "written.snap"
        write_snapshot(path, file_id, _chunks(text), label="us-national")
        wrote = time.perf_counter() - started
        with open_snapshot(path, verify=True, expect_id=file_id) as snapshot:
            size = snapshot.header.file_bytes
            count = snapshot.count
            started = time.perf_counter()
            snapshot_repo.store(engine, file_id, snapshot)
            stored = time.perf_counter() - started
        other = SnapshotFiles(engine, folder / "other-host")
        started = time.perf_counter()
        fetched = other.get(file_id)
        fetch = time.perf_counter() - started
        assert fetched.count == count
        other.close()
        service.close()
        mb = size / 1e6
        print(f"{args.numbers:,} numbers, file {mb:,.1f} MB, {url.split(':')[0]}")
        print(f"write the file: {wrote:.1f} s")
        print(f"store as parts: {stored:.1f} s ({mb / stored:,.0f} MB/s)")
        print(f"another host fetches and verifies: {fetch:.1f} s ({mb / fetch:,.0f} MB/s)")


def _chunks(text: Path) -> Iterator[np.ndarray]:
    with open(text, "rb") as handle:
        while block := handle.read(64 << 20):
            rest = handle.readline()
            data = block + rest
            yield (np.frombuffer(data, dtype=np.uint8).reshape(-1, 11)[:, :10] - 48).astype(
                np.uint64
            ) @ (10 ** np.arange(9, -1, -1, dtype=np.uint64)) + np.uint64(10**10)


if __name__ == "__main__":
    main()
