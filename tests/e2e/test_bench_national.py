"""Smoke test of bench/national.py --quick: every row of issue 17's table is printed.

Nothing is timed here (the figures of a quick run mean nothing); the point is
that the bench the lead runs on a quiet machine still runs end to end after
the product changes under it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench" / "national.py"
SQLITE_ROWS = ("queue-load", "scrub", "import", "check")
PG_ROWS = ("pg-check", "pg-scrub", "pg-queue-load")


def run_bench(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--quick", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def row(output: str, key: str) -> dict[str, str]:
    """A printed row's fields: today, reference, target, ratio, load avg."""
    found = re.search(rf"^\[{re.escape(key)}\] .*?(?=^\[|\Z)", output, re.M | re.S)
    assert found, f"row {key} missing from:\n{output}"
    return dict(re.findall(r"^  ([a-z ]+):\s+(.*)$", found.group(0), re.M))


def temp_folder_is_gone(output: str) -> None:
    generated = re.search(r"under (\S+)", output)
    assert generated, output
    assert not Path(generated.group(1)).exists(), "the generated data was left behind"


@pytest.mark.slow
def test_quick_run_prints_every_row_with_target_and_ratio() -> None:
    output = run_bench()
    for key in SQLITE_ROWS:
        fields = row(output, key)
        assert fields["today"] and not fields["today"].startswith("not run")
        assert fields["target"] != "-"
        assert re.search(r"\d+\.\d\dx (target|limit), (met|NOT met)", fields["ratio"]), fields
        assert "peak RSS" in fields["load avg"] and "MiB" in fields["load avg"]
    assert "numpy sorted-array membership" in row(output, "scrub")["reference"]
    assert "bare SQLite insert" in row(output, "import")["reference"]
    assert "indexed SQLite SELECT" in row(output, "check")["reference"]
    for key in PG_ROWS:  # named even when not measured, so no row silently disappears
        assert row(output, key)["today"] == "not run: needs --database-url"
    temp_folder_is_gone(output)


@pytest.mark.slow
@pytest.mark.postgres
def test_quick_run_on_postgresql_prints_the_postgresql_rows(pg_url: str) -> None:
    base = pg_url.split("?", 1)[0]  # the bench makes (and drops) schemas of its own
    output = run_bench("--database-url", base, "--rows", ",".join(PG_ROWS))
    for key in PG_ROWS:
        fields = row(output, key)
        assert not fields["today"].startswith("not run"), fields
        assert re.search(r"(met|NOT met)", fields["ratio"]), fields
    assert "bare SELECT 1 round trip" in row(output, "pg-check")["reference"]
    assert "scrub" not in re.findall(r"^\[([a-z-]+)\]", output, re.M)
    temp_folder_is_gone(output)
