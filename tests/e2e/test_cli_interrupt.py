"""Long commands from a shell: Ctrl-C, progress and the scheduler's log."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DNC = [sys.executable, "-m", "dnc"]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def test_ctrl_c_during_a_load_says_nothing_was_changed_and_exits_130(
    sqlite_url: str, tmp_path: Path
) -> None:
    # A FIFO holds the load mid-file, deterministically, until the signal.
    fifo = tmp_path / "leads.csv"
    os.mkfifo(fifo)
    load = subprocess.Popen(
        [*DNC, "--database-url", sqlite_url, "queue", "load", str(fifo), "--campaign", "spring"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    with open(fifo, "w") as writer:  # returns once the load has opened the file
        writer.write("number\n+12015550123\n+12015550124\n")
        writer.flush()
        time.sleep(0.5)
        load.send_signal(signal.SIGINT)
        out, err = load.communicate(timeout=60)
    assert load.returncode == 130, err
    assert out == ""
    assert err.splitlines() == [
        "interrupted: nothing was changed (a dnc change is written whole or not at all)"
    ]
    shown = subprocess.run(
        [*DNC, "--database-url", sqlite_url, "queue", "show", "--campaign", "spring", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(shown.stdout) == []


def test_a_piped_load_prints_its_line_and_no_progress(sqlite_url: str, tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("number\n" + "".join(f"+1201555{i:04d}\n" for i in range(2500)))
    done = subprocess.run(
        [*DNC, "--database-url", sqlite_url, "queue", "load", str(leads), "--campaign", "spring"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout == f"{leads}: 2,500 read, 2,500 added, 0 already queued\n"


@pytest.mark.parametrize("verbose", [False, True])
def test_jobs_serve_logs_library_info_only_when_verbose(sqlite_url: str, verbose: bool) -> None:
    serve = subprocess.Popen(
        [*DNC, "--database-url", sqlite_url, "jobs", "serve", *(["--verbose"] if verbose else [])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert serve.stdout is not None
    scheduled = [serve.stdout.readline() for _ in range(3)]
    assert all(line.startswith("scheduled ") for line in scheduled), scheduled
    time.sleep(0.5)
    serve.send_signal(signal.SIGINT)
    _, err = serve.communicate(timeout=60)
    assert serve.returncode == 0, err
    assert "scheduler stopped" in err
    noisy = ("apscheduler" in err, "alembic" in err)
    assert noisy == ((True, True) if verbose else (False, False)), err
