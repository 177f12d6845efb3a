"""Outcomes under load: real dialer processes writing at the same moment."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import dnc
from dnc import ReasonCode

NUMBER = "+12015550123"
AT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
CONFIG = "[registries.us-national]\nrequired = false\n"

# Each dialer opens the service, says it is ready, waits for "go", then
# records its refusals as fast as it can.
DIALER = """
import sys
from datetime import datetime
import dnc
url, config, number, count, at = sys.argv[1:6]
service = dnc.open(url, config)
print("ready", flush=True)
sys.stdin.readline()
for i in range(int(count)):
    service.record_outcome(number, f"campaign-{i % 3}", "refused",
                           at=datetime.fromisoformat(at), agent=f"dialer")
service.close()
print("done", flush=True)
"""

# A dialer that keeps checking until told to stop, then checks once more.
CHECKER = """
import sys
from pathlib import Path
import dnc
url, config, number, stop = sys.argv[1:5]
service = dnc.open(url, config)
failed = checks = 0
print("ready", flush=True)
while not Path(stop).exists():
    verdict = service.check(number, campaign="b")
    checks += 1
    failed += dnc.ReasonCode.CHECK_FAILED in verdict.codes
final = service.check(number, campaign="b")
print(checks, failed, final.allowed, ",".join(final.codes), flush=True)
"""


def _config(tmp_path: Path) -> str:
    path = tmp_path / "dnc.toml"
    path.write_text(CONFIG)
    return str(path)


def _start(script: str, *args: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_concurrent_refusals_from_two_processes_are_all_counted(
    db_url: str, tmp_path: Path
) -> None:
    config = _config(tmp_path)
    with dnc.open(db_url, config, create=True):
        pass  # migrate once, so the dialers race on outcomes, not on the schema
    dialers = [_start(DIALER, db_url, config, NUMBER, "20", AT.isoformat()) for _ in range(2)]
    for proc in dialers:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in dialers:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0 and out.strip() == "done"

    with dnc.open(db_url, config) as service:
        outcomes = service.outcomes(NUMBER)
        assert len(outcomes) == 40
        assert sum(o.refusals for o in outcomes) == 40
        history = service.history(NUMBER)
        assert sum(r.action == "outcome" for r in history) == 40
        # The threshold is crossed exactly once, however the writes interleave.
        assert sum(r.action == "three_nos" for r in history) == 1
        counts = [
            r.after["state"]["refusals"] for r in history if r.action == "outcome" and r.after
        ]
        assert sorted(counts) == list(range(1, 41))
        assert ReasonCode.THREE_NOS in service.check(NUMBER, campaign="x", at=AT).codes


def test_an_opt_out_recorded_while_checks_run_is_never_lost(db_url: str, tmp_path: Path) -> None:
    config = _config(tmp_path)
    stop = tmp_path / "stop"
    with dnc.open(db_url, config, create=True) as service:
        checker = _start(CHECKER, db_url, config, NUMBER, str(stop))
        service.record_outcome(NUMBER, "a", "opt_out", note="said stop during the call")
        stop.touch()
        out, _ = checker.communicate(timeout=60)
    checks, failed, allowed, codes = out.split()
    assert int(checks) > 0 and int(failed) == 0
    assert allowed == "False" and "DNC_INTERNAL" in codes.split(",")
