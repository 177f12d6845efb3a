"""The report counts queue entries, not runs: an entry deferred by every
nightly scrub of a month is one deferred entry, and an entry deferred one
night and removed the next is one removed entry."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

import dnc
from dnc.reports.render_html import render as render_html
from dnc.reports.render_text import render_csv, render_text
from dnc.storage.uow import UnitOfWork

# 07:00 in Los Angeles (calling hours open at 08:00), 10:00 in New York.
NIGHT_ONE = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
NIGHT_TWO = NIGHT_ONE + timedelta(days=1)

KEPT_WAITING = "+12135550103"  # Los Angeles: deferred by every run
LISTED_LATER = "+12135550105"  # Los Angeles: deferred, then on the registry
CALLABLE = "+12015550104"  # New York: dialable every run


@pytest.fixture
def svc(db_url: str, clock: dnc.FixedClock) -> Iterator[dnc.Service]:
    clock.set(NIGHT_ONE)
    with dnc.open(db_url, clock=clock, create=True) as service:
        yield service


def _nights(
    svc: dnc.Service, clock: dnc.FixedClock, tmp_path: Path, campaign: str | None = None
) -> None:
    for number in (KEPT_WAITING, LISTED_LATER, CALLABLE):
        assert svc.enqueue("spring", number)
    svc.run_job("nightly-scrub")
    # The registry lists a number the queue still holds: the next scrub removes it.
    listed = tmp_path / "ftc.txt"
    listed.write_text(LISTED_LATER.removeprefix("+1") + "\n")
    svc.import_registry(listed, "us-national", as_of=NIGHT_ONE.date())
    clock.set(NIGHT_TWO - timedelta(minutes=30))
    svc.run_job("nightly-scrub")
    clock.set(NIGHT_TWO)
    svc.scrub(campaign)  # and a scrub by hand the same day: still each entry once


@pytest.mark.parametrize("by_hand", [None, "spring"], ids=["all-queues", "one-campaign"])
def test_each_entry_counts_once_over_the_period(
    svc: dnc.Service, clock: dnc.FixedClock, tmp_path: Path, by_hand: str | None
) -> None:
    _nights(svc, clock, tmp_path, by_hand)
    data = svc.report(since=NIGHT_ONE.date(), until=NIGHT_TWO.date()).to_dict()
    scrub = data["scrub"]
    assert scrub["runs"] == 3
    # Three entries, each once: removed, deferred, dialable (the runs added
    # up would say 9 entries, 5 deferrals).
    assert (scrub["entries"], scrub["suppressed"], scrub["deferred"], scrub["held"]) == (3, 1, 1, 0)
    assert scrub["dialable"] == 1
    # Deferred one night and removed the next: removed, and not also deferred.
    assert scrub["by_reason"]["DNC_REGISTRY"] == {"suppressed": 1, "deferred": 0}
    assert scrub["by_reason"]["OUTSIDE_CALLING_HOURS"] == {"suppressed": 0, "deferred": 1}
    assert scrub["by_campaign"]["spring"] == {"suppressed": 1, "deferred": 1}
    daily = {d["day"]: d for d in data["daily"]}
    first, second = daily[NIGHT_ONE.date().isoformat()], daily[NIGHT_TWO.date().isoformat()]
    assert (first["scrub_deferred"], first["scrub_suppressed"]) == (2, {})
    # Two runs on the second day: the waiting entry is one deferral that day.
    assert (second["scrub_deferred"], second["scrub_suppressed"]) == (1, {"DNC_REGISTRY": 1})


def test_every_rendering_shows_the_same_entries(
    svc: dnc.Service, clock: dnc.FixedClock, tmp_path: Path
) -> None:
    _nights(svc, clock, tmp_path)
    report = svc.report(since=NIGHT_ONE.date(), until=NIGHT_TWO.date())
    rows = render_csv(report).splitlines()
    for metric, n in (("runs", 3), ("entries", 3), ("suppressed", 1), ("deferred", 1)):
        assert f"scrub,,,{metric},{n}" in rows
    assert "scrub,,,held,0" in rows and "scrub,,,dialable,1" in rows
    text_ = render_text(report)
    assert re.search(r"queue entries the scrub checked\s+3\b", text_)
    assert re.search(r"deferred by the scrub\s+1\b", text_)
    assert "3 entries checked, 1 removed, 0 held, 1 deferred, 1 dialable" in render_html(report)


def test_a_period_counts_only_the_runs_inside_it(
    svc: dnc.Service, clock: dnc.FixedClock, tmp_path: Path
) -> None:
    _nights(svc, clock, tmp_path)
    first = svc.report(since=NIGHT_ONE.date(), until=NIGHT_ONE.date()).to_dict()["scrub"]
    assert (first["runs"], first["entries"], first["suppressed"], first["deferred"]) == (1, 3, 0, 2)
    second = svc.report(since=NIGHT_TWO.date(), until=NIGHT_TWO.date()).to_dict()["scrub"]
    assert (second["runs"], second["entries"], second["suppressed"], second["deferred"]) == (
        2,
        3,
        1,
        1,
    )


def test_a_steady_queue_writes_no_row_per_night(
    svc: dnc.Service, clock: dnc.FixedClock, tmp_path: Path
) -> None:
    """Rows are written when a disposition changes, not per entry per run."""
    _nights(svc, clock, tmp_path)
    before = _rows(svc)
    for _ in range(3):
        clock.advance(timedelta(days=1))
        svc.run_job("nightly-scrub")
    # The removed entry's row was closed by the run after its removal; the
    # waiting and the callable entries kept theirs.
    assert _rows(svc) == before
    data = svc.report(since=NIGHT_ONE.date(), until=clock.now().date()).to_dict()["scrub"]
    assert (data["runs"], data["entries"], data["deferred"], data["suppressed"]) == (6, 3, 1, 1)


def test_an_entry_called_stops_counting(
    svc: dnc.Service, clock: dnc.FixedClock, tmp_path: Path
) -> None:
    _nights(svc, clock, tmp_path)
    clock.set(NIGHT_TWO + timedelta(minutes=30))  # 10:30 in New York, 07:30 in LA
    [claimed] = svc.next_calls("spring", limit=5)
    assert claimed.number == CALLABLE
    clock.advance(timedelta(days=1))
    svc.run_job("nightly-scrub")
    day = clock.now().date()
    data = svc.report(since=day, until=day).to_dict()["scrub"]
    assert (data["entries"], data["deferred"], data["dialable"]) == (1, 1, 0)


def test_a_purge_forgets_old_closed_rows_only(
    svc: dnc.Service, clock: dnc.FixedClock, tmp_path: Path
) -> None:
    _nights(svc, clock, tmp_path)
    closed, open_ = _closed_and_open(svc)
    assert closed >= 1 and open_ == 2
    clock.advance(timedelta(days=366 * 6))
    result = svc.purge()
    assert result.deleted_dispositions == closed
    assert _closed_and_open(svc) == (0, 2)


def _rows(svc: dnc.Service) -> list[tuple[object, ...]]:
    with UnitOfWork(svc.store.engine) as uow:
        return [
            tuple(r)
            for r in uow.connection.execute(
                text("SELECT entry_id, action, codes, since_run, until_run FROM queue_disposition")
            )
        ]


def _closed_and_open(svc: dnc.Service) -> tuple[int, int]:
    rows = _rows(svc)
    return sum(r[4] is not None for r in rows), sum(r[4] is None for r in rows)
