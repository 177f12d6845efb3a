"""Import a synthetic US full list, then time checks against it.

    python bench/registry_generate.py --numbers 5000000          # quick mode
    python bench/registry_import.py bench/data/us-5M.txt [--database-url URL] [--checks N]

Reports import rate (numbers/s), peak resident memory of this process
(imports run in-process), database size and bytes per million numbers,
then check latency p50/p99 over numbers on the list and numbers off it.
SQLite goes to bench/data/registry-bench.db unless --database-url is given
(PostgreSQL: postgresql://postgres@127.0.0.1:5432/test). Data stays under
bench/data/, which git ignores.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from _common import percentile

import dnc
from dnc import configuration

HERE = Path(__file__).parent


def sample_lines(path: Path, count: int, rng: random.Random) -> list[str]:
    """Numbers from random offsets of the file, without reading it whole."""
    size = path.stat().st_size
    found = []
    with open(path, "rb") as handle:
        for _ in range(count):
            handle.seek(rng.randrange(max(1, size - 64)))
            handle.readline()
            line = handle.readline().strip()
            if line:
                found.append(line.decode())
    return found


def database_bytes(service: dnc.Service, url: str) -> int:
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with service.store.engine.connect() as conn:
        return int(
            conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar_one()
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--database-url")
    parser.add_argument("--checks", type=int, default=20_000)
    parser.add_argument("--skip-import", action="store_true", help="time checks only")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{HERE / 'data' / 'registry-bench.db'}"
    service = dnc.open(url, configuration.load(env={}), create=True)

    if not args.skip_import:
        started = time.perf_counter()
        # A synthetic list of any size replaces the last one benched.
        summary = service.import_registry(args.file, "us-national", format="ftc", allow_shrink=True)
        seconds = time.perf_counter() - started
        print(summary.line())
        print(
            f"import: {summary.read:,} numbers in {seconds:.1f} s = "
            f"{summary.read / seconds / 1e6:.2f} M numbers/s"
        )
    size = database_bytes(service, url)
    # The last configured registry is not always the one imported (us-reassigned).
    listed = (
        sum(s.size or 0 for s in service.registry_status() if s.definition.name == "us-national")
        or 1
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"store: {url.split(':')[0]}, {size / 1e9:.2f} GB for {listed:,} numbers = "
        f"{size / listed * 1e6 / 1e6:.1f} MB per million; peak RSS {peak:.0f} MiB"
    )

    rng = random.Random(7)
    on_list = [f"+1{n}" for n in sample_lines(args.file, args.checks // 2, rng)]
    off_list = [
        f"+1{n[:-1]}{(int(n[-1]) + 1) % 10}" for n in sample_lines(args.file, args.checks // 2, rng)
    ]
    probes = on_list + off_list
    rng.shuffle(probes)
    at = datetime.now(UTC)
    for number in probes:  # warm: parse cache, page cache
        service.check(number, at=at)
    timings: list[int] = []
    codes: dict[str, int] = {}
    for number in probes:
        start = time.perf_counter_ns()
        verdict = service.check(number, at=at)
        timings.append(time.perf_counter_ns() - start)
        for code in verdict.codes or ("ALLOWED",):
            codes[code] = codes.get(code, 0) + 1
    service.close()
    print(
        f"check with {listed:,} listed: p50 {percentile(timings, 50):.1f} us  "
        f"p99 {percentile(timings, 99):.1f} us  ({len(probes):,} checks: {codes})"
    )


if __name__ == "__main__":
    main()
