"""Abandoned calls (US TSR 16 CFR 310.4(b)(4)(i)), through the service on both
databases: a campaign may abandon at most 3 % of the calls a live person
answered, measured over each successive 30-day period; over the limit, its
checks and claims stop with ABANDON_RATE until the rate falls back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import dnc
from dnc import ReasonCode

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # the test clock: 10:00 in New Jersey
FIRST = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # the campaign's first answered call
CALLER = "+12017770107"  # nothing known about it

CONFIG = """
[campaigns.autumn.abandonment]
epoch = "2026-11-01"
limit = 0.05
"""


@pytest.fixture
def svc(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: dnc.FixedClock
) -> Iterator[dnc.Service]:
    cfg = tmp_path / "dnc.toml"
    cfg.write_text(Path(os.environ["DNC_CONFIG"]).read_text() + CONFIG)
    monkeypatch.setenv("DNC_CONFIG", str(cfg))
    with dnc.open(db_url, clock=clock, create=True) as service:
        yield service


def calls(svc: dnc.Service, campaign: str, answered: int, abandoned: int = 0) -> None:
    """``answered`` calls a person answered, ``abandoned`` of them abandoned;
    each to its own number, at FIRST and the minutes after."""
    for i in range(answered):
        outcome = "abandoned" if i < abandoned else "answered"
        at = FIRST + timedelta(minutes=i)
        svc.record_outcome(f"+1201888{i:04d}", campaign, outcome, at=at)


def codes(verdict: dnc.Verdict) -> list[ReasonCode]:
    return [r.code for r in verdict.reasons]


def test_three_percent_of_answered_calls_may_be_abandoned(svc: dnc.Service) -> None:
    calls(svc, "spring", answered=34, abandoned=1)  # 2.9 %
    assert svc.check(CALLER, campaign="spring").allowed
    rate = svc.abandon_rate("spring")
    assert (rate.abandoned, rate.answered, rate.limit) == (1, 34, 0.03)
    assert not rate.over


def test_over_the_limit_every_call_of_the_campaign_stops(svc: dnc.Service) -> None:
    calls(svc, "spring", answered=34, abandoned=1)
    svc.record_outcome("+12018889999", "spring", "abandoned", at=FIRST + timedelta(hours=1))
    verdict = svc.check(CALLER, campaign="spring")  # 2 of 35: 5.7 %
    assert codes(verdict) == [ReasonCode.ABANDON_RATE]
    assert "abandoned 2 of 35 calls answered by a person (5.7%)" in verdict.reasons[0].detail
    assert "310.4(b)(4)(i)" in verdict.reasons[0].detail
    # It lapses at the end of the 30-day period at the latest (19:00 in New Jersey).
    assert verdict.next_allowed_at == datetime(2026, 12, 20, tzinfo=UTC)
    # Other campaigns, and checks naming none, are not held back.
    assert svc.check(CALLER, campaign="autumn").allowed
    assert svc.check(CALLER).allowed


def test_the_rate_falls_back_as_answered_calls_are_recorded(svc: dnc.Service) -> None:
    calls(svc, "spring", answered=20, abandoned=1)  # 5 %
    assert codes(svc.check(CALLER, campaign="spring")) == [ReasonCode.ABANDON_RATE]
    for i in range(14):  # 1 of 34: 2.9 %
        svc.record_outcome(f"+1201777{i:04d}", "spring", "sale", at=NOW - timedelta(minutes=i))
    assert svc.check(CALLER, campaign="spring").allowed


def test_calls_nobody_answered_are_not_in_the_rate(svc: dnc.Service) -> None:
    calls(svc, "spring", answered=40, abandoned=1)
    for outcome in ("no_answer", "busy", "voicemail"):
        svc.record_outcome("+12016660001", "spring", outcome, at=FIRST)
    rate = svc.abandon_rate("spring")
    assert (rate.abandoned, rate.answered) == (1, 40)


def test_each_successive_30_day_period_starts_afresh(svc: dnc.Service) -> None:
    calls(svc, "spring", answered=10, abandoned=1)
    rate = svc.abandon_rate("spring")
    # From the campaign's first answered call, by UTC day.
    assert (rate.period_start, rate.period_end) == (
        datetime(2026, 11, 20, tzinfo=UTC),
        datetime(2026, 12, 20, tzinfo=UTC),
    )
    assert rate.epoch_source == "first answered call"
    later = datetime(2026, 12, 21, 15, tzinfo=UTC)
    assert svc.check(CALLER, campaign="spring", at=later).allowed
    nxt = svc.abandon_rate("spring", at=later)
    assert (nxt.abandoned, nxt.answered, nxt.period_start) == (
        0,
        0,
        datetime(2026, 12, 20, tzinfo=UTC),
    )


def test_a_configured_epoch_and_limit(svc: dnc.Service) -> None:
    calls(svc, "autumn", answered=25, abandoned=1)  # 4 %, under autumn's 5 %
    rate = svc.abandon_rate("autumn")
    assert (rate.period_start, rate.limit, rate.epoch_source) == (
        datetime(2026, 11, 1, tzinfo=UTC),
        0.05,
        "configured",
    )
    assert svc.check(CALLER, campaign="autumn").allowed
    assert rate.warning  # 4 % is at least 80 % of 5 %


def test_claims_scrub_and_batch_checks_stop_too(svc: dnc.Service) -> None:
    svc.enqueue("spring", CALLER)
    svc.enqueue("autumn", CALLER)
    calls(svc, "spring", answered=20, abandoned=1)
    assert svc.next_calls("spring", 5) == []
    assert [e.number for e in svc.next_calls("autumn", 5)] == [CALLER]
    assert svc.check_many([CALLER], campaign="spring") == [svc.check(CALLER, campaign="spring")]
    svc.scrub()
    [entry] = svc.queue("spring", number=CALLER)
    assert entry.status.value == "deferred"
    assert [r.code for r in entry.reasons] == [ReasonCode.ABANDON_RATE]


def test_the_nightly_job_warns_before_the_limit(svc: dnc.Service) -> None:
    calls(svc, "spring", answered=40, abandoned=1)  # 2.5 %: over 80 % of 3 %
    calls(svc, "autumn", answered=40, abandoned=1)  # 2.5 %: under 80 % of 5 %
    summary = svc.run_job("nightly-scrub")
    [warning] = summary["abandon_warnings"]
    assert warning.startswith("spring: warning, 1 of 40 answered calls abandoned (2.5%")
    [run] = svc.job_runs("nightly-scrub")
    assert run.counts["abandon_warnings"] == [warning]
