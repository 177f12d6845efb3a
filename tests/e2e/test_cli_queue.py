"""``dnc queue`` and ``dnc scrub`` as an officer and a dialer's script meet them:
nothing uncallable leaves, and a second scrub is turned away by name."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

import dnc
from dnc.cli.app import app
from dnc.storage import jobs_repo
from dnc.storage.uow import UnitOfWork

runner = CliRunner()
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
# 10:00 in New York, 07:00 in Los Angeles; and 08:00 in Los Angeles.
MORNING = "2026-11-23T15:00:00Z"
LATER = "2026-11-23T16:00:00Z"

OPTED_OUT = "+12015550101"
LISTED = "+12012001956"  # in the FTC sample
UNDER_BLOCK = "+12015550150"
OUT_OF_HOURS = "+12135550103"
CLEAN = "+12015550104"


def dnc_cli(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--database-url", url, *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _loaded(url: str, tmp_path: Path, clock: dnc.FixedClock) -> None:
    """Facts recorded this morning (the library on the test clock), then a
    lead list loaded through the command line that still holds the numbers."""
    with dnc.open(url, clock=clock) as svc:
        svc.import_registry(
            SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=clock.now().date()
        )
        svc.opt_out(OPTED_OUT, at=clock.now() - timedelta(days=1))
    leads = tmp_path / "leads.csv"
    numbers = (OPTED_OUT, LISTED, UNDER_BLOCK, OUT_OF_HOURS, CLEAN)
    leads.write_text("number,lead_id\n" + "".join(f"{n},L{i}\n" for i, n in enumerate(numbers)))
    code, out, err = dnc_cli(url, "queue", "load", str(leads), "--campaign", "spring")
    assert code == 0, out + err
    with dnc.open(url, clock=clock) as svc:
        svc.block_prefix("+1201555015", reason="partner exchange")


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_queue_loaded_and_exported_without_a_scrub_never_carries_a_listed_number(
    sqlite_url: str, tmp_path: Path, clock: dnc.FixedClock
) -> None:
    _loaded(sqlite_url, tmp_path, clock)
    out = tmp_path / "spring.csv"

    code, text, err = dnc_cli(
        sqlite_url, "queue", "export", "--campaign", "spring", "--out", str(out), "--at", MORNING
    )

    assert code == 0, text + err
    assert _read(out) == [{"number": CLEAN, "lead_id": "L4", "location": "", "priority": "0"}]
    assert "1 dialable entries written" in text
    code, text, _ = dnc_cli(
        sqlite_url, "queue", "export", "--campaign", "spring", "--at", LATER, "--all"
    )
    assert code == 0
    rows = {r["number"]: r for r in csv.DictReader(text.splitlines())}
    assert {n: (r["status"], r["reasons"]) for n, r in rows.items()} == {
        OPTED_OUT: ("suppressed", "DNC_INTERNAL"),
        LISTED: ("suppressed", "DNC_REGISTRY"),
        UNDER_BLOCK: ("suppressed", "DNC_PREFIX"),
        OUT_OF_HOURS: ("ready", ""),
        CLEAN: ("ready", ""),
    }


def test_queue_show_filters_unchecked_and_deferred(
    sqlite_url: str, tmp_path: Path, clock: dnc.FixedClock
) -> None:
    _loaded(sqlite_url, tmp_path, clock)
    code, text, err = dnc_cli(
        sqlite_url, "queue", "show", "--campaign", "spring", "--status", "unchecked", "--json"
    )
    assert code == 0, text + err
    assert {e["number"] for e in json.loads(text)} == {OPTED_OUT, LISTED, OUT_OF_HOURS, CLEAN}

    assert dnc_cli(sqlite_url, "scrub", "--at", MORNING)[0] == 0
    code, text, err = dnc_cli(
        sqlite_url, "queue", "show", "--campaign", "spring", "--status", "deferred", "--json"
    )
    assert code == 0, text + err
    [entry] = json.loads(text)
    assert entry["number"] == OUT_OF_HOURS and entry["status"] == "deferred"
    assert entry["not_before"] == "2026-11-23T16:00:00+00:00"
    assert [r["code"] for r in entry["reasons"]] == ["OUTSIDE_CALLING_HOURS"]


def test_a_busy_scrub_prints_one_line_naming_the_holder_and_since(sqlite_url: str) -> None:
    since = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    with dnc.open(sqlite_url) as svc, UnitOfWork(svc.store.engine, write=True) as uow:
        # Held for years: the test must not depend on the day it runs.
        assert jobs_repo.acquire(
            uow.connection, "scrub", "nightly@db1:4242:9f3c2a1b", since, timedelta(days=5000)
        )
        uow.commit()

    code, out, err = dnc_cli(sqlite_url, "scrub")

    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "nightly@db1:4242:9f3c2a1b, since 2026-11-23T02:00:00+00:00" in err
