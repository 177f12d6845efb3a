"""What recording registry movements adds to a snapshot swap.

    python bench/movement_swap.py [--numbers 1000000] [--churn 0.02] [--database-url URL]

Imports a synthetic US full list (the baseline: no movement rows), then a
second full list with ``churn`` of its numbers replaced (half that share
left, as many new ones entered), then a change list undoing it. Times the
diff of the two snapshot files (before the swap's transaction, spooled), the
movement rows written inside it, and the change list's look-ups and new file.
SQLite goes to bench/data/movement-bench.db unless --database-url is given;
on PostgreSQL the bench works in a schema of its own, dropped at the end.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

import dnc
from dnc import configuration
from dnc.storage import movement_repo, registry_bulk

HERE = Path(__file__).parent
DATA = HERE / "data"


def lists(numbers: int, churn: float) -> tuple[Path, Path, Path]:
    """(first list, second list, change list from the second back to the first)."""
    first = DATA / f"us-{numbers}.txt"
    if not first.exists():
        subprocess.run(
            [sys.executable, str(HERE / "registry_generate.py"), "--numbers", str(numbers),
             "--out", str(first)],
            check=True,
        )  # fmt: skip
    keys = [int(line) for line in first.read_text().split()]
    listed = set(keys)
    step = max(1, round(2 / churn))
    gone = keys[::step]
    new = [n + 1 for n in keys[step // 2 :: step] if n + 1 not in listed]
    second_keys = sorted((listed - set(gone)) | set(new))
    second = DATA / f"us-{numbers}-churn.txt"
    second.write_text("".join(f"{n}\n" for n in second_keys))
    back = DATA / f"us-{numbers}-back.csv"
    back.write_text("".join(f"{n},A\n" for n in gone) + "".join(f"{n},D\n" for n in new))
    print(f"lists: {len(keys):,} numbers; second: {len(gone):,} left, {len(new):,} entered")
    return first, second, back


@contextmanager
def timed(name: str, into: dict[str, float]) -> Iterator[None]:
    started = time.perf_counter()
    yield
    into[name] = into.get(name, 0.0) + time.perf_counter() - started


def wrap(target: Any, attr: str, name: str, into: dict[str, float]) -> None:
    real: Callable[..., Any] = getattr(target, attr)

    def timer(*args: Any, **kwargs: Any) -> Any:
        with timed(name, into):
            return real(*args, **kwargs)

    setattr(target, attr, timer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--numbers", type=int, default=1_000_000)
    parser.add_argument("--churn", type=float, default=0.02)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    first, second, back = lists(args.numbers, args.churn)

    schema = None
    if args.database_url and args.database_url.startswith("postgresql"):
        base = args.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(base)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}?options={quote(f'-csearch_path={schema}')}"
    else:
        db = DATA / "movement-bench.db"
        for old in DATA.glob("movement-bench.db*"):
            if old.is_dir():
                shutil.rmtree(old)
            else:
                old.unlink()
        url = args.database_url or f"sqlite:///{db}"

    spent: dict[str, float] = {}
    wrap(registry_bulk, "Diff", "diff of the two files (before the swap)", spent)
    wrap(movement_repo, "record_diff", "movement rows (full, in the swap)", spent)
    wrap(movement_repo, "record_changes", "movements (change)", spent)
    wrap(registry_bulk, "changed", "apply changes (new file)", spent)
    today = date(2026, 12, 1)
    clock = dnc.FixedClock(datetime(2026, 12, 1, 12, tzinfo=UTC))
    service = dnc.open(url, configuration.load(env={}), clock=clock, create=True)
    try:
        for path, kind in ((first, "full"), (second, "full"), (back, "change")):
            clock.advance(timedelta(days=1))
            summary = service.import_registry(
                path, "us-national", format="ftc", as_of=today, changes=kind == "change",
                allow_shrink=True,
            )  # fmt: skip
            print(summary.line())
    finally:
        service.close()
        if schema is not None:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    store = url.split(":")[0]
    for name, seconds in spent.items():
        print(f"{store}: {name}: {seconds * 1000:,.0f} ms")


if __name__ == "__main__":
    main()
