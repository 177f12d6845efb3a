"""Scrub throughput: a queue of N entries against the registry bench store.

    python bench/registry_generate.py --numbers 5000000           # once
    python bench/registry_import.py bench/data/us-5M.txt           # once (or the 250M file)
    python bench/scrub_bench.py --entries 1000000 [--database-url URL] [--registry-file F]

Loads N queue entries drawn from the registry file (half listed, half one
digit off); opts out 1 % of them, records a refusal for another 1 % and a
no-answer for another 1 %; then times a full scrub at 02:00
America/New_York (everything out of hours, so every entry that is not
suppressed is deferred) and the next night's scrub of what is still
queued, and reports entries per second for each; then times `dnc queue
export` (each entry decided at its instant) by day, of every entry
(``--all``) and of the callable ones. With ``--export-first`` an export of
the freshly loaded queue, never scrubbed, is timed before the scrubs (it
warms the caches the first scrub would otherwise find cold, so compare
scrub figures from runs without it). Data stays under bench/data/.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from _common import DNC, cli_env

import dnc
from dnc import configuration
from dnc.numbers import parse
from dnc.storage.types import UTCDateTime

HERE = Path(__file__).parent


def _valid(national: str) -> bool:
    try:
        parse(f"+1{national}")
    except dnc.InvalidNumberError:
        return False
    return True


def add_facts(service: dnc.Service, entries: int, at: datetime) -> None:
    """Facts behind the queue's back, which the scrub must find: 1 % opted out,
    1 % refused once the day before ``at``, 1 % not answered an hour before it."""
    queued = service.queue("bench", limit=max(3, entries // 33))
    third = len(queued) // 3
    keys = [int(e.number[1:]) for e in queued]
    stamp = datetime.now(UTC)
    outcome = sa.text(
        "INSERT INTO call_outcome (number, campaign, outcome, at, refusals, actor, recorded_at)"
        " VALUES (:n, 'bench', :o, :at, :r, 'bench', :t)"
    ).bindparams(sa.bindparam("at", type_=UTCDateTime), sa.bindparam("t", type_=UTCDateTime))
    with service.store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO list_entry (number, source, created_at, recorded_at, actor)"
                " VALUES (:n, 'opt_out', :t, :t, 'bench')"
            ).bindparams(sa.bindparam("t", type_=UTCDateTime)),
            [{"n": k, "t": stamp} for k in keys[:third]],
        )
        conn.execute(
            outcome,
            [
                {"n": k, "o": "refused", "at": at - timedelta(hours=20), "r": 1, "t": stamp}
                for k in keys[third : 2 * third]
            ],
        )
        conn.execute(
            outcome,
            [
                {"n": k, "o": "no_answer", "at": at - timedelta(hours=1), "r": 0, "t": stamp}
                for k in keys[2 * third :]
            ],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--registry-file", type=Path, default=HERE / "data" / "us-5M.txt")
    parser.add_argument("--export-first", action="store_true")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{HERE / 'data' / 'registry-bench.db'}"
    service = dnc.open(url, configuration.load(env={}), create=True)
    with service.store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM queue_entry WHERE campaign = 'bench'"))

    rng = random.Random(11)
    with args.registry_file.open() as handle:
        pool = [line.strip() for _, line in zip(range(args.entries * 2), handle, strict=False)]
    picks = rng.sample(pool, min(args.entries, len(pool)))
    numbers = [p if i % 2 else p[:-1] + str((int(p[-1]) + 1) % 10) for i, p in enumerate(picks)]
    # The synthetic registry uses unassigned area codes too; a lead list would not.
    numbers = [n for n in numbers if _valid(n)]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as leads:
        leads.write("number,lead_id\n")
        for i, n in enumerate(numbers):
            leads.write(f"+1{n},L{i}\n")
    started = time.perf_counter()
    summary = service.load_queue(leads.name, "bench")
    load_seconds = time.perf_counter() - started
    Path(leads.name).unlink()
    print(f"queue load: {summary.added:,} entries in {load_seconds:.1f} s")

    at = datetime(2026, 11, 24, 2, 0, tzinfo=ZoneInfo("America/New_York"))
    add_facts(service, args.entries, at)

    if service.store.engine.dialect.name == "sqlite":
        # At 02:00 the day's loads are long checkpointed; right after a
        # million-row load they are not, and every read goes through the WAL.
        with service.store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    listed = sum(s.size or 0 for s in service.registry_status())
    day = (at + timedelta(days=1)).replace(hour=11)
    if args.export_first:
        _export(url, "export, never scrubbed, --all", day, everything=True)
    # The first scrub after a load suppresses; the next night's decides again
    # what is still queued (the steady state of a nightly job). Each runs as
    # the nightly job does, `dnc scrub` in a process of its own (this one
    # holds a million-line lead list, which would slow any Python in it).
    for label, when in (("first scrub", at), ("next night", at + timedelta(days=1))):
        done = subprocess.run(
            DNC
            + ["--database-url", url, "scrub", "--campaign", "bench"]
            + ["--at", when.isoformat(), "--json"],
            capture_output=True,
            text=True,
            check=True,
            env=cli_env(),
        )
        data = json.loads(done.stdout)
        seconds = data["seconds"]
        print(
            f"{label}: {data['entries']:,} entries in {seconds:.2f} s = "
            f"{data['entries'] / seconds / 1000:.0f} k entries/s against {listed:,} registry"
            f" numbers ({data['suppressed']:,} suppressed, {data['deferred']:,} deferred,"
            f" {data['held']:,} held, {data['dialable']:,} dialable)"
        )

    # What a dialer pays for its last-moment claim on this queue: by day
    # (at 11:00 after the last scrub's deferral) and by night (nothing due).
    for label, when in (
        ("next_calls by day", day),
        ("next_calls at night", at + timedelta(days=1)),
    ):
        started = time.perf_counter()
        handed = service.next_calls("bench", 20, at=when)
        print(
            f"{label}: {len(handed)} handed out in {(time.perf_counter() - started) * 1000:.0f} ms"
        )
    service.close()
    _export(url, "export after the scrubs, --all", day, everything=True)
    _export(url, "export after the scrubs", day, everything=False)


# An export timed in a process of its own, as `dnc queue export` runs.
_EXPORT = """
import io, json, sys
from datetime import datetime
import dnc
from dnc import configuration
with dnc.open(sys.argv[1], configuration.load(env={})) as service:
    summary = service.export_queue(
        io.StringIO(), "bench", at=datetime.fromisoformat(sys.argv[2]),
        everything=sys.argv[3] == "all",
    )
print(json.dumps({"entries": sum(summary.statuses.values()), "written": summary.written,
                  "dialable": summary.dialable, "seconds": summary.seconds,
                  "rss_mib": int(dict(l.split(":") for l in open("/proc/self/status"))
                                 ["VmHWM"].split()[0]) // 1024}))
"""


def _export(url: str, label: str, at: datetime, *, everything: bool) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _EXPORT, url, at.isoformat(), "all" if everything else "ready"],
        capture_output=True,
        text=True,
        check=True,
        env=cli_env(),
    )
    data = json.loads(done.stdout)
    print(
        f"{label}: {data['entries']:,} entries in {data['seconds']:.2f} s = "
        f"{data['entries'] / data['seconds'] / 1000:.0f} k entries/s"
        f" ({data['written']:,} written, {data['dialable']:,} dialable;"
        f" peak RSS {data['rss_mib']} MiB, the CSV in memory included)"
    )


if __name__ == "__main__":
    main()
