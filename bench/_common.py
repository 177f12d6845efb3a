"""Helpers shared by the bench scripts (run as ``python bench/NAME.py``, so this
folder is on sys.path and ``from _common import ...`` works)."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa

HERE = Path(__file__).parent

# `dnc` as a console script would run it, but with this interpreter (the venv's).
DNC = [sys.executable, "-c", "from dnc.cli.app import main; main()"]


def percentile(samples: list[int], pct: float) -> float:
    """The pct-th percentile of nanosecond samples, in microseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))] / 1000


def cli_env() -> dict[str, str]:
    # A developer's own configuration file must not change what is measured.
    return {k: v for k, v in os.environ.items() if k != "DNC_CONFIG"}


def peak_rss_mib() -> float:
    """This process's peak resident set so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_average() -> float:
    return os.getloadavg()[0]


@dataclass(frozen=True)
class ChildRun:
    stdout: str
    seconds: float  # wall clock, interpreter start-up included
    peak_rss_mib: float  # the child's own (wait4), not this process's
    load: float  # 1-minute load average when it ended


TIME = shutil.which("time", path="/usr/bin:/bin")


def run_child(command: list[str]) -> ChildRun:
    """Run a process to its end, with its own peak RSS.

    Not from this process's wait4: Popen starts the child with vfork, so the
    child's high-water mark begins at this process's size (gigabytes of
    generated keys at national scale) and is kept across exec. GNU time forks
    the command from a process of a few MiB and reports the command's own.
    """
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("r") as peak,
    ):
        timed = [TIME, "-f", "%M", "-o", peak.name, *command] if TIME else command
        started = time.perf_counter()
        child = subprocess.Popen(timed, stdout=out, stderr=err, text=True, env=cli_env())
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode:
            raise SystemExit(
                f"{' '.join(command[3:])} failed ({child.returncode}):\n{err.read()[-4000:]}"
            )
        kib = int(peak.read().split()[-1]) if TIME else usage.ru_maxrss
        return ChildRun(out.read(), seconds, kib / 1024, load_average())


@contextmanager
def scratch_schema(database_url: str) -> Iterator[str]:
    """``database_url`` (PostgreSQL) with its search path on a schema of its
    own, created here and dropped at the end, whatever happens."""
    base = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
