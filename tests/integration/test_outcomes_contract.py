"""Call outcomes through the service, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

import dnc
from dnc import ReasonCode

NY = ZoneInfo("America/New_York")
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=NY)  # a Monday
NUMBER = "+1 201 555 0123"
OUTCOME_CODES = {
    ReasonCode.THREE_NOS,
    ReasonCode.CALLBACK_SCHEDULED,
    ReasonCode.RETRY_WAIT,
    ReasonCode.MAX_ATTEMPTS,
}

# Registries are another capability: keep their freshness rule out of these
# verdicts so each test sees only what outcomes do.
CONFIG = """
[registries.us-national]
required = false

[campaigns.strict.three_nos]
threshold = 2
scope = "campaign"

# Dialled by hand: nor is the wireless rule (dnc.wireless) what is tested here.
[campaigns.default.calling]
call_type = "manual"
"""


@pytest.fixture
def svc(db_url: str, tmp_path: Path, clock: dnc.FixedClock) -> Iterator[dnc.Service]:
    path = tmp_path / "dnc.toml"
    path.write_text(CONFIG)
    service = dnc.open(db_url, path, clock=clock, create=True)
    yield service
    service.close()


def test_the_third_no_blocks_and_the_second_does_not(svc: dnc.Service) -> None:
    svc.record_outcome(NUMBER, "spring", "refused", at=MORNING)
    svc.record_outcome(NUMBER, "spring", "refused", at=MORNING + timedelta(days=1))
    assert svc.check(NUMBER, campaign="spring", at=MORNING + timedelta(days=2)).allowed

    svc.record_outcome(NUMBER, "spring", "refused", at=MORNING + timedelta(days=2))
    verdict = svc.check(NUMBER, campaign="spring", at=MORNING + timedelta(days=3))
    assert verdict.codes == (ReasonCode.THREE_NOS,)
    assert verdict.next_allowed_at is None
    # Company-wide by default: every campaign stops.
    assert svc.check(NUMBER, campaign="autumn", at=MORNING + timedelta(days=3)).codes == (
        ReasonCode.THREE_NOS,
    )


def test_one_call_can_carry_all_three_nos(svc: dnc.Service) -> None:
    result = svc.record_outcome(NUMBER, "spring", "refused", at=MORNING, refusals=3)
    assert result.record.refusals == 3
    assert ReasonCode.THREE_NOS in result.after.codes
    assert ReasonCode.THREE_NOS not in result.before.codes


def test_a_configured_campaign_uses_its_own_policy(svc: dnc.Service) -> None:
    svc.record_outcome(NUMBER, "strict", "refused", at=MORNING, refusals=2)
    later = MORNING + timedelta(days=1)
    assert svc.check(NUMBER, campaign="strict", at=later).codes == (ReasonCode.THREE_NOS,)
    assert svc.check(NUMBER, campaign="spring", at=later).allowed


def test_a_callback_at_15_blocks_at_14_59_and_not_at_15(svc: dnc.Service) -> None:
    three = datetime(2026, 11, 23, 15, 0, tzinfo=NY)
    svc.record_outcome(NUMBER, "spring", "callback", at=MORNING, callback_at=three)
    verdict = svc.check(NUMBER, campaign="spring", at=three - timedelta(minutes=1))
    assert verdict.codes == (ReasonCode.CALLBACK_SCHEDULED,)
    assert verdict.next_allowed_at == three
    assert svc.check(NUMBER, campaign="spring", at=three).allowed


def test_an_opt_out_in_campaign_a_blocks_campaign_b(svc: dnc.Service) -> None:
    svc.record_outcome(NUMBER, "a", "opt_out", at=MORNING, agent="agent-7", note="said stop")
    for campaign in ("a", "b", None):
        verdict = svc.check(NUMBER, campaign=campaign, at=MORNING + timedelta(days=1))
        assert ReasonCode.DNC_INTERNAL in verdict.codes
        assert verdict.next_allowed_at is None
    [entry] = svc.list_entries("internal", NUMBER)
    assert entry.source.value == "opt_out" and entry.note == "said stop"


def test_an_opt_out_wins_over_a_later_callback(svc: dnc.Service) -> None:
    svc.record_outcome(NUMBER, "a", "opt_out", at=MORNING)
    three = MORNING + timedelta(hours=6)
    svc.record_outcome(NUMBER, "a", "callback", at=MORNING + timedelta(hours=1), callback_at=three)
    verdict = svc.check(NUMBER, campaign="a", at=three)
    assert ReasonCode.DNC_INTERNAL in verdict.codes and verdict.next_allowed_at is None


def test_a_no_answer_retry_waits_its_delay(svc: dnc.Service) -> None:
    svc.record_outcome(NUMBER, "spring", "no_answer", at=MORNING)
    verdict = svc.check(NUMBER, campaign="spring", at=MORNING + timedelta(hours=1))
    assert verdict.codes == (ReasonCode.RETRY_WAIT,)
    assert verdict.next_allowed_at == MORNING + timedelta(hours=4)
    assert svc.check(NUMBER, campaign="spring", at=MORNING + timedelta(hours=4)).allowed
    # Another campaign has its own retry state.
    assert svc.check(NUMBER, campaign="winter", at=MORNING + timedelta(hours=1)).allowed


def test_a_later_answered_call_supersedes_a_callback(svc: dnc.Service) -> None:
    svc.record_outcome(
        NUMBER, "spring", "callback", at=MORNING, callback_at=MORNING + timedelta(hours=6)
    )
    svc.record_outcome(NUMBER, "spring", "answered", at=MORNING + timedelta(hours=1))
    assert svc.check(NUMBER, campaign="spring", at=MORNING + timedelta(hours=2)).allowed


def test_the_daily_attempt_limit_waits_for_the_next_local_day(svc: dnc.Service) -> None:
    for hours in (0, 1, 2):
        svc.record_outcome(NUMBER, "spring", "answered", at=MORNING + timedelta(hours=hours))
    verdict = svc.check(NUMBER, campaign="spring", at=MORNING + timedelta(hours=5))
    assert verdict.codes == (ReasonCode.MAX_ATTEMPTS,)
    # The limit lapses at local midnight; the law's calling hours open at 08:00.
    assert verdict.next_allowed_at == datetime(2026, 11, 24, 8, 0, tzinfo=NY)


def test_the_total_attempt_limit_counts_attempts_the_check_does_not_carry(
    svc: dnc.Service,
) -> None:
    for day in range(10):
        svc.record_outcome(NUMBER, "spring", "answered", at=MORNING + timedelta(days=day))
    verdict = svc.check(NUMBER, campaign="spring", at=MORNING + timedelta(days=60))
    assert verdict.codes == (ReasonCode.MAX_ATTEMPTS,)
    assert "10 attempts" in verdict.reasons[0].detail


def test_a_wrong_number_stops_that_campaign_only(svc: dnc.Service) -> None:
    svc.record_outcome(NUMBER, "spring", "wrong_number", at=MORNING)
    later = MORNING + timedelta(days=1)
    assert svc.check(NUMBER, campaign="spring", at=later).codes == (ReasonCode.DNC_CAMPAIGN,)
    assert svc.check(NUMBER, campaign="winter", at=later).allowed
    [entry] = svc.list_entries("campaign:spring", NUMBER)
    assert entry.source.value == "wrong_number"


def test_history_shows_each_outcome_and_the_state_it_led_to(svc: dnc.Service) -> None:
    svc.record_outcome(NUMBER, "spring", "no_answer", at=MORNING, agent="agent-7")
    svc.record_outcome(NUMBER, "spring", "refused", at=MORNING + timedelta(hours=5), refusals=3)
    records = [r for r in svc.history(NUMBER) if r.action in {"outcome", "three_nos"}]
    assert [r.action for r in records] == ["outcome", "outcome", "three_nos"]
    first, second = records[0], records[1]
    assert first.actor == "agent-7"
    assert first.after is not None and first.after["outcome"]["outcome"] == "no_answer"
    assert first.after["state"]["reasons"][0]["code"] == "RETRY_WAIT"
    assert "RETRY_WAIT" in first.after["summary"]
    assert second.before is not None and second.before["state"]["attempts_total"] == 1
    assert second.after is not None and second.after["state"]["refusals"] == 3
    assert "THREE_NOS" in second.after["summary"]


def test_outcomes_are_listed_oldest_first(svc: dnc.Service) -> None:
    svc.record_outcome(NUMBER, "b", "busy", at=MORNING + timedelta(hours=1))
    svc.record_outcome(NUMBER, "a", "sale", at=MORNING)
    assert [o.outcome.value for o in svc.outcomes(NUMBER)] == ["sale", "busy"]
    assert [o.campaign for o in svc.outcomes(NUMBER, campaign="b")] == ["b"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcome": "maybe"}, "unknown outcome 'maybe'.*refused, opt_out"),
        ({"outcome": "refused", "refusals": 0}, "between 1 and"),
        ({"outcome": "busy", "refusals": 2}, "only to the outcome 'refused'"),
        ({"outcome": "busy", "callback_at": MORNING}, "only to the outcome 'callback'"),
        (
            {"outcome": "callback", "callback_at": MORNING - timedelta(hours=1)},
            "before the call",
        ),
        ({"outcome": "sale", "campaign": "  "}, "needs a campaign"),
        ({"outcome": "sale", "at": datetime(2026, 11, 23, 9, 0)}, "timezone-aware"),
    ],
)
def test_bad_outcomes_are_refused_with_an_input_error(
    svc: dnc.Service, kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {"campaign": "spring", "at": MORNING, **kwargs}
    with pytest.raises(dnc.InputError, match=message):
        svc.record_outcome(NUMBER, **args)  # type: ignore[arg-type]
    assert svc.outcomes(NUMBER) == []


def test_a_failed_record_leaves_nothing_behind(svc: dnc.Service) -> None:
    with svc.store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE audit_log"))
    with pytest.raises(dnc.StorageError):
        svc.record_outcome(NUMBER, "spring", "opt_out", at=MORNING)
    assert svc.outcomes(NUMBER) == []
    assert svc.list_entries("internal", NUMBER) == []


def test_the_check_fails_closed_when_outcomes_cannot_be_read(svc: dnc.Service) -> None:
    with svc.store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE call_outcome"))
    verdict = svc.check(NUMBER, campaign="spring", at=MORNING)
    assert verdict.codes == (ReasonCode.CHECK_FAILED,)
