"""Dialer queues and the scrub: numbers that must not be called leave the
queue before any call goes out, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import dnc
from dnc.app.jobs import lease_owner
from dnc.errors import ScrubBusyError
from dnc.queue import STATUS_OF
from dnc.storage import jobs_repo
from dnc.storage.uow import UnitOfWork

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=NY)  # 07:00 in Los Angeles

OPTED_OUT = "+12015550101"
LISTED = "+12012001956"  # in the FTC sample
THREE_NOS = "+12015550102"
OUT_OF_HOURS = "+12135550103"  # Los Angeles: 07:00 local, opens at 08:00
CLEAN = "+12015550104"


@pytest.fixture
def svc(db_url: str, clock: dnc.FixedClock) -> Iterator[dnc.Service]:
    with dnc.open(db_url, clock=clock, create=True) as service:
        yield service


def _fill(svc: dnc.Service) -> None:
    """Facts first, then a lead list loaded that still holds the numbers:
    the way today's dialers end up calling people who said no."""
    svc.import_registry(SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=MORNING.date())
    svc.opt_out(OPTED_OUT, at=MORNING - timedelta(days=3))
    svc.record_outcome(THREE_NOS, "autumn", "refused", refusals=3, at=MORNING - timedelta(days=2))
    for number in (OPTED_OUT, LISTED, THREE_NOS, OUT_OF_HOURS, CLEAN):
        assert svc.enqueue("spring", number, at=MORNING - timedelta(days=1))


def _status(svc: dnc.Service, number: str) -> dnc.QueueEntry:
    [entry] = svc.queue("spring", number=number)
    return entry


def test_scrub_suppresses_the_uncallable_and_defers_the_not_yet(svc: dnc.Service) -> None:
    _fill(svc)

    report = svc.scrub(at=MORNING)

    assert _status(svc, OPTED_OUT).status == "suppressed"
    listed = _status(svc, LISTED)
    assert listed.status == "suppressed"
    assert [r.code for r in listed.reasons] == [dnc.ReasonCode.DNC_REGISTRY]
    assert _status(svc, THREE_NOS).status == "suppressed"
    deferred = _status(svc, OUT_OF_HOURS)
    assert deferred.status == "deferred"
    assert deferred.not_before == datetime(2026, 11, 23, 8, 0, tzinfo=LA)
    assert [r.code for r in deferred.reasons] == [dnc.ReasonCode.OUTSIDE_CALLING_HOURS]
    assert _status(svc, CLEAN).status == "ready"
    assert _status(svc, CLEAN).not_before is None

    counts = report.to_dict()
    assert counts["entries"] == 5
    assert (counts["suppressed"], counts["deferred"], counts["dialable"]) == (3, 1, 1)
    assert counts["by_reason"]["DNC_INTERNAL"] == {"suppressed": 1}
    assert counts["by_reason"]["DNC_REGISTRY"] == {"suppressed": 1}
    assert counts["by_reason"]["THREE_NOS"] == {"suppressed": 1}
    assert counts["by_reason"]["OUTSIDE_CALLING_HOURS"] == {"deferred": 1}
    assert counts["by_campaign"]["spring"] == {"suppressed": 3, "deferred": 1, "dialable": 1}

    dialable = [e.number for e in svc.dialable("spring", at=MORNING)]
    assert dialable == [CLEAN]
    later = [e.number for e in svc.dialable("spring", at=datetime(2026, 11, 23, 8, 0, tzinfo=LA))]
    assert sorted(later) == sorted([CLEAN, OUT_OF_HOURS])

    [run] = svc.job_runs("scrub")
    assert run.status == "ok" and run.counts is not None and run.counts["suppressed"] == 3


def test_an_opt_out_leaves_every_queue_in_the_same_transaction(svc: dnc.Service) -> None:
    for campaign in ("spring", "autumn"):
        svc.enqueue(campaign, CLEAN, at=MORNING)
    svc.opt_out(CLEAN, at=MORNING)
    for campaign in ("spring", "autumn"):
        [entry] = svc.queue(campaign)
        assert entry.status == "suppressed"
        assert [r.code for r in entry.reasons] == [dnc.ReasonCode.DNC_INTERNAL]


def test_three_nos_leave_the_queue_at_once(svc: dnc.Service) -> None:
    svc.enqueue("spring", CLEAN, at=MORNING)
    svc.record_outcome(CLEAN, "autumn", "refused", refusals=2, at=MORNING)
    assert svc.queue("spring")[0].status == "unchecked"
    svc.record_outcome(CLEAN, "autumn", "refused", at=MORNING + timedelta(minutes=1))
    assert svc.queue("spring")[0].status == "suppressed"


def test_next_calls_never_hands_out_a_number_opted_out_after_the_scrub(svc: dnc.Service) -> None:
    _fill(svc)
    svc.scrub(at=MORNING)
    svc.opt_out(CLEAN, scope="campaign", campaign="spring")  # would be caught at once anyway
    svc.enqueue("spring", "+12015550105", at=MORNING)
    # Behind the queue's back: an opt-out written straight to the list, as a
    # second system might, without the queue hook.
    with svc.store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO list_entry (number, source, created_at, recorded_at, actor)"
            " VALUES (12015550105, 'opt_out', '2026-11-23 14:00:00', '2026-11-23 14:00:00', 'x')"
            if conn.dialect.name == "sqlite"
            else "INSERT INTO list_entry (number, source, created_at, recorded_at, actor)"
            " VALUES (12015550105, 'opt_out', now(), now(), 'x')"
        )
    handed = svc.next_calls("spring", 10, at=MORNING)
    assert handed == []
    [entry] = svc.queue("spring", number="+12015550105")
    assert entry.status == "suppressed"


def test_next_calls_claims_due_entries_once(svc: dnc.Service) -> None:
    numbers = [f"+1201555{n:04d}" for n in range(200, 230)]
    for n in numbers:
        svc.enqueue("spring", n, at=MORNING)
    first = svc.next_calls("spring", 20, at=MORNING)
    second = svc.next_calls("spring", 20, at=MORNING)
    assert len(first) == 20 and len(second) == 10
    assert not {e.id for e in first} & {e.id for e in second}
    # The dialer reports the calls: a no-answer makes its entry ready again,
    # after its wait; the others are done.
    svc.record_outcome(first[0].number, "spring", "no_answer", at=MORNING)
    for entry in [*first[1:], *second]:
        svc.record_outcome(entry.number, "spring", "sale", at=MORNING)
    assert svc.next_calls("spring", 5, at=MORNING + timedelta(minutes=1)) == []
    retry = svc.next_calls("spring", 5, at=MORNING + timedelta(hours=4))
    assert [e.number for e in retry] == [first[0].number]


def test_one_scrub_at_a_time(svc: dnc.Service) -> None:
    now = svc.now()
    with UnitOfWork(svc.store.engine, write=True) as uow:
        assert jobs_repo.acquire(uow.connection, "scrub", "other-host", now, timedelta(hours=1))
        uow.commit()
    with pytest.raises(ScrubBusyError, match="other-host"):
        svc.scrub(at=MORNING)
    # A lease whose holder died expires, and the next scrub takes over.
    with UnitOfWork(svc.store.engine, write=True) as uow:
        assert not jobs_repo.acquire(uow.connection, "scrub", "me", now, timedelta(minutes=1))
        past = now - timedelta(hours=2)
        uow.connection.execute(
            jobs_repo.LEASE.update().values(expires_at=past + timedelta(hours=1))
        )
        uow.commit()
    report = svc.scrub(at=MORNING)
    assert report.entries == 0


def test_a_second_scrub_under_the_same_name_is_refused_naming_the_holder_and_since(
    svc: dnc.Service,
) -> None:
    """A scheduled scrub and a manual one by the same user on the same host
    used to share the lease (it was re-entrant for its owner)."""
    svc.enqueue("spring", CLEAN, at=MORNING)
    since = svc.now() - timedelta(minutes=3)
    with UnitOfWork(svc.store.engine, write=True) as uow:
        assert jobs_repo.acquire(uow.connection, "scrub", "alice", since, timedelta(minutes=10))
        uow.commit()

    with pytest.raises(ScrubBusyError, match=r"alice, since 2026-11-23T14:57:00\+00:00"):
        svc.scrub(at=MORNING, owner="alice")

    assert svc.queue("spring")[0].status == "unchecked"  # nothing ran
    with UnitOfWork(svc.store.engine) as uow:
        found = jobs_repo.holder(uow.connection, "scrub")
    assert found is not None and (found.owner, found.since) == ("alice", since)


def test_a_lease_is_never_taken_twice_even_by_its_holder(svc: dnc.Service) -> None:
    now = svc.now()
    with UnitOfWork(svc.store.engine, write=True) as uow:
        assert jobs_repo.acquire(uow.connection, "scrub", "me", now, timedelta(minutes=10))
        assert not jobs_repo.acquire(uow.connection, "scrub", "me", now, timedelta(minutes=10))
        uow.commit()


def test_every_scrub_names_its_lease_uniquely() -> None:
    host = socket.gethostname()
    owners = {lease_owner("alice") for _ in range(20)}
    assert len(owners) == 20
    for owner in owners:
        assert owner.startswith(f"alice@{host}:{os.getpid()}:")
    assert lease_owner(f"bob@{host}").startswith(f"bob@{host}:{os.getpid()}:")


def test_check_many_matches_single_checks(svc: dnc.Service) -> None:
    _fill(svc)
    numbers = [OPTED_OUT, LISTED, THREE_NOS, OUT_OF_HOURS, CLEAN, "12345"]
    many = svc.check_many(numbers, campaign="spring", at=MORNING)
    single = [svc.check(n, campaign="spring", at=MORNING) for n in numbers]
    assert many == single


def test_two_processes_never_scrub_at_once(db_url: str, tmp_path: Path) -> None:
    with dnc.open(db_url, create=True) as svc:
        for n in range(300):
            svc.enqueue("spring", f"+1201555{n:04d}", at=MORNING)
    script = (
        "import sys, json, dnc\n"
        "from dnc import ScrubBusyError\n"
        "svc = dnc.open(sys.argv[1])\n"
        "try:\n"
        "    r = svc.scrub(owner=sys.argv[2])\n"
        "    print(json.dumps({'ok': r.entries}))\n"
        "except ScrubBusyError:\n"
        "    print(json.dumps({'busy': True}))\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, db_url, f"scheduler-{i}"],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    results = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    with dnc.open(db_url) as svc:
        runs = [r for r in svc.job_runs("scrub") if r.status != "skipped"]
    # Either they overlapped (one was turned away, on record as skipped) or
    # ran one after the other; never two runs inside each other.
    spans = sorted((r.started_at, r.finished_at or datetime.max.replace(tzinfo=UTC)) for r in runs)
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start >= end
    assert any("ok" in r for r in results)


def test_the_scrub_disposes_every_entry_as_its_single_check_says(svc: dnc.Service) -> None:
    """The scrub's shortcuts (cached by location, by registry listing) must
    never differ from deciding each number on its own."""
    from dnc.queue import dispose

    _fill(svc)
    listed = [f"+1201{n}" for n in (2001956, 2016008, 2032988, 2034339, 2101192)]
    others = [f"+1{a}555{n:04d}" for a in (201, 213, 305, 907, 512) for n in range(3)]
    svc.set_preference(others[0], not_before="11:00")
    svc.add_consent(listed[0], "express_written", campaign="spring", at=MORNING - timedelta(days=9))
    for number in listed + others:
        svc.enqueue("spring", number, at=MORNING)
    expected = {
        n: dispose(svc.check(n, campaign="spring", at=MORNING))
        for n in [*listed, *others, OPTED_OUT, LISTED, THREE_NOS, OUT_OF_HOURS, CLEAN]
    }
    svc.scrub(at=MORNING)
    for number, want in expected.items():
        entry = _status(svc, number)
        assert entry.status == STATUS_OF[want.action], number
        assert [r.code for r in entry.reasons] == [r.code for r in want.reasons], number
        assert entry.not_before == want.not_before, number


class TickingClock:
    """A clock that moves one second every time it is read."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


def test_a_scrub_run_records_when_it_really_ran_not_the_instant_it_judged(db_url: str) -> None:
    clock = TickingClock(datetime(2026, 12, 3, 8, tzinfo=UTC))
    with dnc.open(db_url, clock=clock, create=True) as service:
        service.enqueue("spring", CLEAN)
        report = service.scrub(at=datetime(2027, 6, 1, 14, tzinfo=UTC))
        [run] = service.job_runs("scrub")
    assert report.at == datetime(2027, 6, 1, 14, tzinfo=UTC)
    assert run.finished_at is not None
    assert datetime(2026, 12, 3, 8, tzinfo=UTC) < run.started_at < run.finished_at <= clock.at
