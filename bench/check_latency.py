"""Latency of a warm single-number check: p50/p99 in microseconds.

    python bench/check_latency.py [--database-url URL] [--numbers N] [--checks N]

Builds a fresh store (SQLite file in a temp dir by default), puts a share of
the numbers on the internal list, warms the service, then times ``check``
one call at a time with perf_counter_ns. Reports cold parses separately:
the first check of a number pays phonenumbers' full parse.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from _common import percentile

import dnc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    parser.add_argument("--numbers", type=int, default=100_000, help="numbers on the internal list")
    parser.add_argument("--checks", type=int, default=50_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        service = dnc.open(url, create=True)
        rng = random.Random(42)
        listed = [2012000000 + rng.randrange(8_000_000) for _ in range(args.numbers)]
        now = datetime.now(UTC)
        # Bulk-load the list directly: we time checks here, not opt-outs.
        with service.store.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO list_entry"
                    " (number, source, channel, created_at, recorded_at, actor)"
                    " VALUES (:n, 'opt_out', 'call', :t, :t, 'bench')"
                ),
                [{"n": 10_000_000_000 + n, "t": now} for n in listed],
            )
        probes = [f"+1{2012000000 + rng.randrange(8_000_000)}" for _ in range(args.checks)]
        at = datetime.now(UTC)

        cold: list[int] = []
        for number in probes:
            start = time.perf_counter_ns()
            service.check(number, at=at)
            cold.append(time.perf_counter_ns() - start)

        warm: list[int] = []
        refused = 0
        for number in probes:
            start = time.perf_counter_ns()
            verdict = service.check(number, at=at)
            warm.append(time.perf_counter_ns() - start)
            refused += not verdict.allowed
        service.close()

    print(f"store: {url.split(':')[0]}, {args.numbers} numbers listed, {args.checks} checks")
    print(
        f"cold (first parse) p50 {percentile(cold, 50):.1f} us  p99 {percentile(cold, 99):.1f} us"
    )
    print(
        f"warm  p50 {percentile(warm, 50):.1f} us  p99 {percentile(warm, 99):.1f} us  "
        f"mean {statistics.fmean(warm) / 1000:.1f} us  ({refused} refused)"
    )


if __name__ == "__main__":
    main()
