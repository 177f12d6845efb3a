"""Issue 17's table in one run: every row, its reference figures and its target.

    python bench/national.py [--registry-numbers 20000000] [--queue 1000000]
        [--database-url postgresql://postgres@127.0.0.1:5432/test] [--rows scrub,check ...]
        [--checks 20000] [--tmp DIR] [--quick]

Generates, in a temporary folder deleted at the end (never under git), an
FTC-layout US registry of ``--registry-numbers`` numbers (snapshot_bench.py's
vectorised generator), a registry of ``--queue`` numbers for the reference
import, and a lead CSV of ``--queue`` valid numbers drawn from the registry
(half listed, half one digit off). Then, for the product on SQLite (and on
PostgreSQL when ``--database-url`` is given; the script creates a scratch
schema there and drops it at the end):

- ``dnc registry import`` and ``dnc queue load``: each the real CLI in a
  process of its own; wall clock (interpreter start-up included, ~1-2 s),
  the child's own peak RSS from wait4;
- the first night's ``dnc scrub --json`` after 1 % opt-outs, 1 % refusals and
  1 % no-answers are recorded behind the queue's back (scrub_bench.py's
  facts): the scrub's own ``seconds``, the child's peak RSS;
- warm ``Service.check`` p50/p99, half listed numbers half near misses, in a
  child process (as an API worker holds the service), with the child's peak
  RSS; on PostgreSQL the same child times a bare ``SELECT 1`` round trip on
  the connection the checks used (the pool's only one).

And the reference rows, measured in this process with nothing of dnc:
bare ``sqlite3`` insert of the registry keys into a ``WITHOUT ROWID`` table
in one transaction; a VICIdial-style loop of one indexed SELECT per lead; a
bare set join of the leads against that table; numpy ``searchsorted``
membership of the leads in the sorted keys; one indexed SELECT timed call by
call. Each row prints its figure, the reference, the target, the ratio to the
target and whether it is met, the 1-minute load average when it was taken
and the peak RSS (the child's for dnc processes, this bench process's for
the in-process references). ``--quick`` (20,000 numbers, 2,000 leads) only
proves every row runs; its figures mean nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import numpy as np
import sqlalchemy as sa
from _common import DNC, ChildRun, load_average, peak_rss_mib, percentile, run_child
from phonenumbers import PhoneMetadata
from scrub_bench import add_facts
from snapshot_bench import ftc_keys, write_text

import dnc
from dnc import configuration

ROWS = ("queue-load", "scrub", "import", "check", "pg-check", "pg-scrub", "pg-queue-load")
REGISTRY = "us-national"
CAMPAIGN = "bench"


@dataclass
class Row:
    key: str
    what: str
    today: str
    reference: str
    target: str
    ratio: str  # figure against target, "met" / "not met"
    load: float
    rss: str
    how: str


def rate(count: float, seconds: float) -> str:
    per = count / seconds
    return f"{per / 1e6:.2f} M/s" if per >= 1e6 else f"{per / 1e3:.1f} k/s"


def net(count: float, seconds: float, startup: float) -> str:
    """The rate once the child's interpreter start-up is taken off (small runs)."""
    if not startup or seconds <= startup * 1.05:
        return "n/a"
    return rate(count, seconds - startup)


def at_least(figure: float, target: float) -> str:
    return f"{figure / target:.2f}x target, {'met' if figure >= target else 'NOT met'}"


def at_most(figure: float, limit: float) -> str:
    return f"{figure / limit:.2f}x limit, {'met' if figure <= limit else 'NOT met'}"


# ---------------------------------------------------------------- data


def registry_keys(path: Path) -> np.ndarray:
    """E.164 keys of an FTC file written by write_text (11 bytes a line), in order."""
    parts = []
    with open(path, "rb") as handle:
        while block := handle.read(11 << 22):
            keys = ftc_keys(block)
            if keys is None:
                raise SystemExit(f"{path} is not in write_text's layout")
            parts.append(keys)
    return np.concatenate(parts)


def lead_keys(keys: np.ndarray, count: int, seed: int) -> np.ndarray:
    """``count`` keys that ``dnc queue load`` accepts: half listed, half one digit off.

    The synthetic registry fills every exchange of an area code, and some are not
    assigned; a lead list would not hold them, and the load is all or nothing. The
    US fixed-line pattern accepts a subset of what dnc.numbers.parse does (checked
    on 100,000 of them) and runs ~500x faster than parsing each."""
    us = PhoneMetadata.metadata_for_region("US")
    pattern = us.fixed_line.national_number_pattern if us and us.fixed_line else None
    if not pattern:
        raise SystemExit("phonenumbers has no US fixed-line pattern")
    valid = re.compile(pattern).fullmatch
    rng = np.random.default_rng(seed)
    found: dict[int, None] = {}  # distinct, in drawing order: the queue holds ``count``
    while len(found) < count:
        picks = rng.choice(keys, min(keys.size, count), replace=False)
        picks[1::2] += np.uint64(1)  # off by one: mostly unlisted
        found.update((k, None) for k in picks.tolist() if valid(str(k)[1:]))
    return np.fromiter(found, dtype=np.uint64, count=len(found))[:count]


def write_leads(path: Path, leads: np.ndarray) -> None:
    with open(path, "w") as handle:
        handle.write("number,lead_id\n")
        handle.writelines(f"+{k},L{i}\n" for i, k in enumerate(leads.tolist()))


# ---------------------------------------------------------------- stores


@contextmanager
def stores(base: str | None, folder: Path) -> Iterator[dict[str, str]]:
    """Two fresh stores per backend: 'product' and 'reference' (the same-size import)."""
    urls = {f"sqlite-{n}": f"sqlite:///{folder / n}.db" for n in ("product", "reference")}
    schemas: list[str] = []
    if base:
        sep = "&" if "?" in base else "?"
        for name in ("product", "reference"):
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            schemas.append(schema)
            urls[f"pg-{name}"] = f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
        admin = sa.create_engine(base)
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield urls
    finally:
        if schemas:
            with admin.begin() as conn:
                for schema in schemas:
                    conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()


def create(url: str) -> None:
    dnc.open(url, configuration.load(env={}), create=True).close()


def dnc_cli(url: str, *args: str) -> list[str]:
    return [*DNC, "--database-url", url, *args]


def import_registry(url: str, path: Path) -> tuple[int, ChildRun]:
    """``dnc registry import`` of a full list into a fresh store; (numbers, ChildRun)."""
    create(url)
    done = run_child(
        dnc_cli(url, "registry", "import", str(path), "--registry", REGISTRY)
        + ["--format", "ftc", "--as-of", date.today().isoformat()]
    )
    return path.stat().st_size // 11, done


# ---------------------------------------------------------------- product children


def child_check(url: str, probes_path: str, pg: str) -> dict[str, Any]:
    probes = [f"+{k}" for k in np.load(probes_path).tolist()]
    service = dnc.open(url, configuration.load(env={}))
    at = datetime.now(UTC)
    for number in probes:  # warm: parse cache, page cache, statement cache
        service.check(number, at=at)
    timings: list[int] = []
    refused = 0
    clock = time.perf_counter_ns
    for number in probes:
        start = clock()
        verdict = service.check(number, at=at)
        timings.append(clock() - start)
        refused += not verdict.allowed
    out: dict[str, Any] = {
        "p50": percentile(timings, 50),
        "p99": percentile(timings, 99),
        "refused": refused,
        "checks": len(probes),
    }
    if pg == "pg":
        # The checks ran one at a time, so the pool holds exactly one connection:
        # the round trip is timed on the very connection they used.
        engine = service.store.engine
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            trips: list[int] = []
            for i in range(len(probes) * 2):
                start = clock()
                cursor.execute("SELECT 1")
                cursor.fetchone()
                if i >= len(probes):  # the first half warms
                    trips.append(clock() - start)
            cursor.close()
        finally:
            raw.close()
        out["pool"] = engine.pool.status()
        out["rtt_p50"] = percentile(trips, 50)
        out["rtt_p99"] = percentile(trips, 99)
    service.close()
    return out


def time_checks(url: str, probes: Path, pg: bool) -> tuple[dict[str, Any], ChildRun]:
    done = run_child(
        [sys.executable, __file__, "--child", "check", url, str(probes), "pg" if pg else "-"]
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result, done


# ---------------------------------------------------------------- bare references


@dataclass
class References:
    insert_rate: float = 0.0  # keys/s
    loop_rate: float = 0.0  # leads/s
    join_rate: float = 0.0
    numpy_rate: float = 0.0
    select_p50: float = 0.0  # µs
    select_p99: float = 0.0
    rss: float = 0.0
    load: float = 0.0


def bare_references(
    folder: Path, keys: np.ndarray, leads: np.ndarray, probes: np.ndarray
) -> References:
    ref = References()
    db = sqlite3.connect(folder / "bare.db", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE registry (number INTEGER PRIMARY KEY) WITHOUT ROWID")
    started = time.perf_counter()
    db.execute("BEGIN")
    for offset in range(0, keys.size, 1 << 20):
        chunk = keys[offset : offset + (1 << 20)].tolist()
        db.executemany("INSERT INTO registry VALUES (?)", ((k,) for k in chunk))
    db.execute("COMMIT")
    ref.insert_rate = keys.size / (time.perf_counter() - started)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    lead_list = leads.tolist()
    select = "SELECT 1 FROM registry WHERE number = ?"
    started = time.perf_counter()
    hits = 0
    for key in lead_list:  # what a dialer's per-lead lookup does
        hits += db.execute(select, (key,)).fetchone() is not None
    ref.loop_rate = len(lead_list) / (time.perf_counter() - started)

    db.execute("CREATE TEMP TABLE queue (number INTEGER)")
    db.executemany("INSERT INTO queue VALUES (?)", ((k,) for k in lead_list))
    started = time.perf_counter()
    joined = db.execute("SELECT count(*) FROM queue JOIN registry USING (number)").fetchone()[0]
    ref.join_rate = len(lead_list) / (time.perf_counter() - started)
    if joined != hits:
        raise SystemExit(f"bare join found {joined:,}, the loop {hits:,}")

    best = float("inf")
    for _ in range(3):  # the best of three: the machine's neighbours come and go
        started = time.perf_counter()
        where = np.searchsorted(keys, leads)
        found = keys[np.minimum(where, keys.size - 1)] == leads
        best = min(best, time.perf_counter() - started)
    ref.numpy_rate = leads.size / best
    if int(found.sum()) != hits:
        raise SystemExit(f"numpy found {int(found.sum()):,}, sqlite {hits:,}")

    timings: list[int] = []
    clock = time.perf_counter_ns
    for key in probes.tolist() * 2:
        start = clock()
        db.execute(select, (key,)).fetchone()
        timings.append(clock() - start)
    timings = timings[len(timings) // 2 :]  # the first pass warms
    ref.select_p50, ref.select_p99 = percentile(timings, 50), percentile(timings, 99)
    db.close()
    ref.rss = peak_rss_mib()
    ref.load = load_average()
    return ref


# ---------------------------------------------------------------- one backend


@dataclass
class Measured:
    imported: int = 0
    import_run: ChildRun | None = None
    reference_import: int = 0
    reference_run: ChildRun | None = None
    load_run: ChildRun | None = None
    loaded: int = 0
    scrub: dict[str, Any] | None = None
    scrub_run: ChildRun | None = None
    check: dict[str, Any] | None = None
    check_run: ChildRun | None = None


def first_night() -> datetime:
    """02:00 in New York after now: every entry not suppressed is deferred."""
    zone = ZoneInfo("America/New_York")
    now = datetime.now(zone)
    night = now.replace(hour=2, minute=0, second=0, microsecond=0)
    return night if night > now else night + timedelta(days=1)


def measure(
    backend: str, urls: dict[str, str], files: dict[str, Path], wanted: set[str]
) -> Measured:
    m = Measured()
    url = urls[f"{backend}-product"]
    need_queue = bool(wanted & {"queue-load", "scrub", "pg-scrub", "pg-queue-load"})
    need_import = bool(wanted - {"queue-load", "pg-queue-load"}) or need_queue
    if need_queue:
        m.reference_import, m.reference_run = import_registry(
            urls[f"{backend}-reference"], files["queue_registry"]
        )
    if need_import:
        m.imported, m.import_run = import_registry(url, files["registry"])
    else:
        create(url)
    if need_queue:
        m.load_run = run_child(
            dnc_cli(url, "queue", "load", str(files["leads"]), "--campaign", CAMPAIGN, "--json")
        )
        m.loaded = json.loads(m.load_run.stdout)["added"]
    if wanted & {"scrub", "pg-scrub"}:
        at = first_night()
        service = dnc.open(url, configuration.load(env={}))
        add_facts(service, m.loaded, at)
        if backend == "sqlite":
            # At 02:00 the day's loads are long checkpointed; right after a
            # load they are not, and every read would go through the WAL.
            with service.store.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            # Likewise autovacuum has long analysed the freshly loaded tables by then;
            # right after the load the planner has no statistics for them.
            with service.store.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
        service.close()
        m.scrub_run = run_child(
            dnc_cli(url, "scrub", "--campaign", CAMPAIGN, "--at", at.isoformat(), "--json")
        )
        m.scrub = json.loads(m.scrub_run.stdout)
    if wanted & {"check", "pg-check"}:
        m.check, m.check_run = time_checks(url, files["probes"], backend == "pg")
    return m


# ---------------------------------------------------------------- the table


def rows_for(
    wanted: set[str],
    sqlite: Measured | None,
    pg: Measured | None,
    ref: References | None,
    startup: float,
) -> list[Row]:
    rows: list[Row] = []
    wall = "dnc CLI subprocess, wall clock" + (
        f" ({startup:.1f} s of it is start-up)" if startup else " (start-up not measured)"
    )
    fmt_rss = "{:.0f} MiB ({})".format
    for backend, m in (("sqlite", sqlite), ("pg", pg)):
        if m is None:
            continue
        pre = "" if backend == "sqlite" else "pg-"
        name = "SQLite" if backend == "sqlite" else "PostgreSQL"
        target_load = 500_000 if backend == "sqlite" else 300_000
        if f"{pre}queue-load" in wanted and m.load_run and m.reference_run:
            r = m.load_run
            per = m.loaded / r.seconds
            refr = m.reference_run
            rows.append(
                Row(
                    f"{pre}queue-load",
                    f"`dnc queue load` (CSV -> queue), {name}",
                    f"{rate(m.loaded, r.seconds)} ({m.loaded:,} entries in {r.seconds:.1f} s;"
                    f" {net(m.loaded, r.seconds, startup)} without start-up)",
                    f"registry import of the same size: "
                    f"{rate(m.reference_import, refr.seconds)}, "
                    f"{net(m.reference_import, refr.seconds, startup)} without start-up "
                    f"({refr.peak_rss_mib:.0f} MiB)",
                    f">= {target_load / 1000:.0f} k entries/s, with a progress bar",
                    at_least(per, target_load),
                    r.load,
                    fmt_rss(r.peak_rss_mib, "dnc child"),
                    wall,
                )
            )
        if f"{pre}scrub" in wanted and m.scrub is not None and m.scrub_run:
            s = m.scrub
            per = s["entries"] / s["seconds"]
            target = 1_000_000 if backend == "sqlite" else 300_000
            reference = "-"
            if backend == "sqlite" and ref is not None:
                reference = (
                    f"loop of one indexed SELECT per lead {rate(ref.loop_rate, 1)}; "
                    f"bare SQLite set join {rate(ref.join_rate, 1)}; "
                    f"numpy sorted-array membership {rate(ref.numpy_rate, 1)}"
                )
            if backend == "sqlite" and ref is not None:
                tenth = ref.numpy_rate / 10
                ratio = (
                    f"{at_least(per, target)}; {per / tenth:.2f}x 1/10 of numpy, "
                    f"{'met' if per >= tenth else 'NOT met'}"
                )
                target_text = ">= 1 M entries/s (>= 1/10 of bare membership)"
            else:
                ratio = at_least(per, target)
                target_text = f">= {target / 1000:.0f} k entries/s"
            rows.append(
                Row(
                    f"{pre}scrub",
                    f"scrub, first night, {name} ({m.imported:,} registry numbers)",
                    f"{rate(s['entries'], s['seconds'])} ({s['entries']:,} entries in "
                    f"{s['seconds']:.2f} s: {s['suppressed']:,} suppressed, "
                    f"{s['deferred']:,} deferred, {s['held']:,} held)",
                    reference,
                    target_text,
                    ratio,
                    m.scrub_run.load,
                    fmt_rss(m.scrub_run.peak_rss_mib, "dnc child"),
                    "dnc scrub --json subprocess, the scrub's own seconds",
                )
            )
        if backend == "sqlite" and "import" in wanted and m.import_run:
            r = m.import_run
            per = m.imported / r.seconds
            rows.append(
                Row(
                    "import",
                    f"registry import, {name}",
                    f"{rate(m.imported, r.seconds)} ({m.imported:,} numbers in {r.seconds:.1f} s;"
                    f" {net(m.imported, r.seconds, startup)} without start-up);"
                    f" peak RSS {r.peak_rss_mib:.0f} MiB",
                    "bare SQLite insert of the keys: "
                    + (f"{rate(ref.insert_rate, 1)}" if ref else "-"),
                    ">= 2 M numbers/s, peak RSS <= 1 GiB (<= 4 GiB at 250 M)",
                    f"{at_least(per, 2e6)}; RSS {at_most(r.peak_rss_mib, 1024)}",
                    r.load,
                    fmt_rss(r.peak_rss_mib, "dnc child"),
                    wall,
                )
            )
        if backend == "sqlite" and "check" in wanted and m.check is not None and m.check_run:
            c = m.check
            rows.append(
                Row(
                    "check",
                    f"check, warm, {m.imported:,} listed",
                    f"p50 {c['p50']:.1f} us, p99 {c['p99']:.1f} us ({c['checks']:,} checks)",
                    "one indexed SQLite SELECT: "
                    + (f"p50 {ref.select_p50:.1f} us, p99 {ref.select_p99:.1f} us" if ref else "-"),
                    "p50 <= 20 us, p99 <= 50 us at 250 M listed",
                    f"p50 {at_most(c['p50'], 20)}; p99 {at_most(c['p99'], 50)}",
                    m.check_run.load,
                    fmt_rss(m.check_run.peak_rss_mib, "check child"),
                    "Service.check in a child process",
                )
            )
        if backend == "pg" and "pg-check" in wanted and m.check is not None and m.check_run:
            c = m.check
            rows.append(
                Row(
                    "pg-check",
                    f"PostgreSQL check, warm, {m.imported:,} listed",
                    f"p50 {c['p50']:.1f} us, p99 {c['p99']:.1f} us",
                    f"bare SELECT 1 round trip, same connection: p50 {c['rtt_p50']:.1f} us, "
                    f"p99 {c['rtt_p99']:.1f} us",
                    "p50 <= 1.3x a bare round trip",
                    at_most(c["p50"] / c["rtt_p50"], 1.3),
                    m.check_run.load,
                    fmt_rss(m.check_run.peak_rss_mib, "check child"),
                    f"Service.check in a child process; its pool: {c['pool']}",
                )
            )
    return rows


def skipped(key: str, why: str) -> Row:
    return Row(key, key, f"not run: {why}", "-", "-", "-", load_average(), "-", "-")


def print_table(rows: list[Row], header: str) -> None:
    print(header)
    for row in rows:
        print(f"\n[{row.key}] {row.what}")
        print(f"  today:      {row.today}")
        print(f"  reference:  {row.reference}")
        print(f"  target:     {row.target}")
        print(f"  ratio:      {row.ratio}")
        print(f"  load avg:   {row.load:.2f}   peak RSS: {row.rss}   how: {row.how}")


# ---------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--registry-numbers", type=int, default=20_000_000)
    parser.add_argument("--queue", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="PostgreSQL base URL; a scratch schema is used")
    parser.add_argument(
        "--rows", default=",".join(ROWS), help=f"comma-separated, of {', '.join(ROWS)}"
    )
    parser.add_argument("--checks", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--tmp", type=Path, help="where the temporary folder goes")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: proves the rows run")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.registry_numbers, args.queue, args.checks = 20_000, 2_000, 500
    return args


def main() -> None:
    args = parse_args()
    if args.child:
        _, url, probes, pg = args.child
        print(json.dumps(child_check(url, probes, pg)))
        return
    wanted = {r.strip() for r in args.rows.split(",") if r.strip()}
    if unknown := wanted - set(ROWS):
        raise SystemExit(f"unknown rows: {', '.join(sorted(unknown))}; rows are {', '.join(ROWS)}")
    started = time.perf_counter()
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="dnc-national-", dir=args.tmp) as tmp:
        folder = Path(tmp)
        files = {
            "registry": folder / "registry.txt",
            "queue_registry": folder / "queue-registry.txt",
            "leads": folder / "leads.csv",
            "probes": folder / "probes.npy",
        }
        write_text(files["registry"], args.registry_numbers, args.seed)
        write_text(files["queue_registry"], args.queue, args.seed + 1)
        keys = registry_keys(files["registry"])
        leads = lead_keys(keys, args.queue, args.seed)
        write_leads(files["leads"], leads)
        rng = np.random.default_rng(args.seed)
        probes = np.concatenate(
            (rng.choice(keys, args.checks // 2), rng.choice(keys, args.checks // 2) + np.uint64(1))
        )
        rng.shuffle(probes)
        np.save(files["probes"], probes)
        print(
            f"generated {keys.size:,} registry numbers, {leads.size:,} leads in "
            f"{time.perf_counter() - started:.0f} s under {folder}",
            flush=True,
        )

        sqlite_rows = wanted & {"queue-load", "scrub", "import", "check"}
        pg_rows = wanted & {"pg-check", "pg-scrub", "pg-queue-load"}
        ref = bare_references(folder, keys, leads, probes) if sqlite_rows else None
        del keys
        with stores(args.database_url if pg_rows else None, folder) as urls:
            sqlite = measure("sqlite", urls, files, sqlite_rows) if sqlite_rows else None
            pg = measure("pg", urls, files, pg_rows) if pg_rows and args.database_url else None
    # What every wall-clock figure of a CLI child includes before it reads a byte.
    # (A quick run, which only proves the rows run, saves the extra process.)
    startup = 0.0 if args.quick else run_child([*DNC, "--version"]).seconds
    rows = rows_for(wanted, sqlite, pg, ref, startup)
    if pg_rows and not args.database_url:
        rows += [skipped(k, "needs --database-url") for k in ROWS if k in pg_rows]
    if ref is not None:
        rows.append(
            Row(
                "references",
                "bare references (this process, nothing of dnc)",
                "-",
                f"insert {rate(ref.insert_rate, 1)}; loop {rate(ref.loop_rate, 1)}; "
                f"join {rate(ref.join_rate, 1)}; numpy {rate(ref.numpy_rate, 1)}; "
                f"SELECT p50 {ref.select_p50:.1f} us",
                "-",
                "-",
                ref.load,
                f"{ref.rss:.0f} MiB (bench process, the generated keys included)",
                "sqlite3 / numpy in-process",
            )
        )
    rows.sort(key=lambda r: ROWS.index(r.key) if r.key in ROWS else len(ROWS))
    print_table(
        rows,
        f"\nissue 17 at {args.registry_numbers:,} registry numbers, {args.queue:,} leads"
        f"{' (--quick: figures mean nothing)' if args.quick else ''}; load average "
        f"{load_before:.2f} at start, {load_average():.2f} at end; "
        f"{time.perf_counter() - started:.0f} s in all",
    )


if __name__ == "__main__":
    main()
