"""``python -m dnc`` from the repository root, where the source folder
``dnc/`` comes first on sys.path and shadows the installed package (whose
``dnc.cli``, ``dnc.jobs`` and ``dnc.config`` come from top-level folders)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def test_python_m_dnc_runs_from_the_repository_root(tmp_path: Path) -> None:
    env = {**os.environ, "DNC_DATABASE_URL": f"sqlite:///{tmp_path / 'dnc.db'}"}
    made = subprocess.run(
        [sys.executable, "-c", AS_INSTALLED, "init"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    assert "database created" in made.stdout
    refused = subprocess.run(
        [sys.executable, "-c", AS_INSTALLED, "jobs", "history", "--limit", "-5"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == ["error: limit must be between 1 and 1000000, not '-5'"]
