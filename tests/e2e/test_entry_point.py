"""``python -m dnc`` from the repository root, where the source folder
``dnc/`` comes first on sys.path and shadows the installed package (whose
``dnc.cli``, ``dnc.jobs`` and ``dnc.config`` come from top-level folders)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dnc

ROOT = Path(__file__).resolve().parents[2]

# An installed (not editable) package has no import hook mapping dnc.cli to
# cli/: the editable install's finder is taken out to run as one would.
AS_INSTALLED = """
import runpy, sys
sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
sys.path.insert(0, "")
sys.argv = ["dnc", *sys.argv[1:]]
runpy.run_module("dnc", run_name="__main__", alter_sys=True)
"""


def test_python_m_dnc_runs_from_the_repository_root_and_refuses_in_one_line(
    tmp_path: Path,
) -> None:
    """Through the real entry point (a process of its own): hostile input is
    one line on stderr, exit 2, and nothing changed."""
    url = f"sqlite:///{tmp_path / 'dnc.db'}"
    with dnc.open(url, create=True) as service:
        service.opt_out("+12015550123")
    before = (tmp_path / "dnc.db").read_bytes()
    env = {**os.environ, "DNC_DATABASE_URL": url}
    for argv, said in (
        (["scrub", "--at", "0001-01-01T00:00:00+14:00"], "outside the supported range"),
        (["audit", "verify", "--expect-head", "deadbeef"], "not a SHA-256 hex digest"),
    ):
        done = subprocess.run(
            [sys.executable, "-c", AS_INSTALLED, *argv],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.splitlines()) == 1 and said in done.stderr, done.stderr
    assert (tmp_path / "dnc.db").read_bytes() == before
