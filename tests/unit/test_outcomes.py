"""Call outcome rules, as the issue states them, on the pure domain."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dnc.decide import combine, decide
from dnc.facts import NumberFacts
from dnc.lists import ListEntry, Source
from dnc.numbers import parse
from dnc.outcomes import (
    Outcome,
    OutcomeRecord,
    attempt_times,
    outcome_reasons,
    refusal_count,
)
from dnc.policy import Attempts, CampaignPolicies, CampaignPolicy, NosScope, ThreeNos
from dnc.verdicts import ReasonCode

NY = ZoneInfo("America/New_York")
MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=NY)  # a Monday
DEFAULT = CampaignPolicies()
PHONE = parse("+12015550123")


def call(
    outcome: str,
    at: datetime,
    campaign: str = "spring",
    refusals: int | None = None,
    callback_at: datetime | None = None,
    id: int = 0,
) -> OutcomeRecord:
    kind = Outcome(outcome)
    n = refusals if refusals is not None else (1 if kind is Outcome.REFUSED else 0)
    return OutcomeRecord(campaign, kind, at, n, callback_at, id=id)


def codes(
    outcomes: list[OutcomeRecord],
    at: datetime,
    campaign: str | None = "spring",
    policies: CampaignPolicies = DEFAULT,
) -> list[ReasonCode]:
    reasons = outcome_reasons(outcomes, policies.for_campaign, campaign, at, zones=("UTC",))
    return [r.code for r in reasons]


def no_limits(**three_nos: object) -> CampaignPolicies:
    policy = CampaignPolicy(
        three_nos=ThreeNos(**three_nos),  # type: ignore[arg-type]
        attempts=Attempts(per_day=None, total=None),
    )
    return CampaignPolicies(default=policy)


def refusals(
    times: int, start: datetime = MORNING, campaign: str = "spring"
) -> list[OutcomeRecord]:
    return [call("refused", start + timedelta(days=i), campaign, id=i + 1) for i in range(times)]


# -- the three no's ---------------------------------------------------------------


def test_the_second_no_does_not_block() -> None:
    assert codes(refusals(2), MORNING + timedelta(days=3)) == []


def test_the_third_no_blocks_permanently_by_default() -> None:
    reasons = outcome_reasons(
        refusals(3), DEFAULT.for_campaign, "spring", MORNING + timedelta(days=400)
    )
    assert [r.code for r in reasons] == [ReasonCode.THREE_NOS]
    assert reasons[0].until is None
    assert "3 refusals" in reasons[0].detail and "2026-11-23 to 2026-11-25" in reasons[0].detail


def test_three_nos_in_one_call_block_at_once() -> None:
    assert codes([call("refused", MORNING, refusals=3)], MORNING) == [ReasonCode.THREE_NOS]


def test_company_scope_counts_refusals_in_every_campaign_and_blocks_all() -> None:
    outcomes = [
        call("refused", MORNING, "spring", id=1),
        call("refused", MORNING + timedelta(days=1), "winter", id=2),
        call("refused", MORNING + timedelta(days=2), "summer", id=3),
    ]
    later = MORNING + timedelta(days=5)
    for campaign in ("spring", "autumn", None):
        assert codes(outcomes, later, campaign) == [ReasonCode.THREE_NOS]


def test_campaign_scope_counts_and_blocks_only_that_campaign() -> None:
    policies = no_limits(scope=NosScope.CAMPAIGN)
    outcomes = [*refusals(2, campaign="spring"), call("refused", MORNING, "winter", id=9)]
    later = MORNING + timedelta(days=5)
    assert codes(outcomes, later, "spring", policies) == []
    outcomes.append(call("refused", MORNING + timedelta(days=4), "spring", id=10))
    assert codes(outcomes, later, "spring", policies) == [ReasonCode.THREE_NOS]
    assert codes(outcomes, later, "winter", policies) == []
    # A check that names no campaign cannot show the call is for another one.
    assert codes(outcomes, later, None, policies) == [ReasonCode.THREE_NOS]


def test_refusals_outside_the_window_do_not_add_up() -> None:
    policies = no_limits(window=timedelta(days=7))
    spread = [call("refused", MORNING + timedelta(days=10 * i), id=i) for i in range(3)]
    assert codes(spread, MORNING + timedelta(days=30), "spring", policies) == []
    close = [call("refused", MORNING + timedelta(days=i), id=i) for i in range(3)]
    assert codes(close, MORNING + timedelta(days=30), "spring", policies) == [ReasonCode.THREE_NOS]


def test_suppression_lapses_after_suppress_days_and_counting_restarts() -> None:
    policies = no_limits(suppress=timedelta(days=90))
    outcomes = refusals(3)
    reached = MORNING + timedelta(days=2)
    reasons = outcome_reasons(outcomes, policies.for_campaign, "spring", reached)
    assert reasons[0].until == reached + timedelta(days=90)
    assert codes(outcomes, reached + timedelta(days=90), "spring", policies) == []
    later = reached + timedelta(days=100)
    outcomes.append(call("refused", later, id=50))
    assert codes(outcomes, later, "spring", policies) == []
    assert refusal_count(outcomes, policies.default.three_nos, "spring", later) == 1


def test_suppression_gives_next_allowed_at_its_end() -> None:
    policies = no_limits(suppress=timedelta(days=30))
    reasons = outcome_reasons(
        [call("refused", MORNING, refusals=3)], policies.for_campaign, "spring", MORNING
    )
    verdict = combine(PHONE.e164, reasons, MORNING, schedule=None)
    assert verdict.next_allowed_at == MORNING + timedelta(days=30)


# -- callbacks -------------------------------------------------------------------


def test_a_callback_at_15_blocks_at_14_59_and_not_at_15() -> None:
    three = datetime(2026, 11, 23, 15, 0, tzinfo=NY)
    outcomes = [call("callback", MORNING, callback_at=three)]
    reasons = outcome_reasons(
        outcomes, DEFAULT.for_campaign, "spring", three - timedelta(minutes=1)
    )
    assert [r.code for r in reasons] == [ReasonCode.CALLBACK_SCHEDULED]
    verdict = combine(PHONE.e164, reasons, three - timedelta(minutes=1), schedule=None)
    assert verdict.next_allowed_at == three
    assert codes(outcomes, three) == []


def test_a_callback_never_bypasses_the_do_not_call_list() -> None:
    three = datetime(2026, 11, 23, 15, 0, tzinfo=NY)
    opt_out = ListEntry(1, PHONE.e164, None, Source.OPT_OUT, None, MORNING, "agent-7")
    facts = NumberFacts(
        entries=(opt_out,), outcomes=(call("callback", MORNING, callback_at=three),)
    )
    verdict = decide(PHONE, facts, campaign="spring", at=three)
    assert verdict.codes == (ReasonCode.DNC_INTERNAL,)
    assert verdict.next_allowed_at is None


def test_a_callback_without_a_time_uses_the_campaign_delay() -> None:
    outcomes = [call("callback", MORNING)]
    reasons = outcome_reasons(outcomes, DEFAULT.for_campaign, "spring", MORNING)
    assert reasons[0].until == MORNING + DEFAULT.default.callback_delay


def test_a_later_answered_call_supersedes_a_callback() -> None:
    three = datetime(2026, 11, 23, 15, 0, tzinfo=NY)
    outcomes = [
        call("callback", MORNING, callback_at=three, id=1),
        call("answered", MORNING + timedelta(hours=1), id=2),
    ]
    assert codes(outcomes, MORNING + timedelta(hours=2)) == []


def test_a_callback_in_one_campaign_does_not_hold_another() -> None:
    outcomes = [call("callback", MORNING, callback_at=MORNING + timedelta(hours=6))]
    assert codes(outcomes, MORNING + timedelta(hours=1), "winter") == []


# -- retries -----------------------------------------------------------------------


def test_a_no_answer_retry_waits_four_hours() -> None:
    outcomes = [call("no_answer", MORNING)]
    reasons = outcome_reasons(
        outcomes, DEFAULT.for_campaign, "spring", MORNING + timedelta(hours=1)
    )
    assert [r.code for r in reasons] == [ReasonCode.RETRY_WAIT]
    assert reasons[0].until == MORNING + timedelta(hours=4)
    assert codes(outcomes, MORNING + timedelta(hours=4)) == []


def test_busy_waits_fifteen_minutes() -> None:
    outcomes = [call("busy", MORNING)]
    assert codes(outcomes, MORNING + timedelta(minutes=14)) == [ReasonCode.RETRY_WAIT]
    assert codes(outcomes, MORNING + timedelta(minutes=15)) == []


def test_each_retry_outcome_waits_its_own_delay() -> None:
    retry = DEFAULT.default.retry
    for outcome, delay in (
        ("voicemail", retry.voicemail),
        ("hung_up", retry.hung_up),
        ("no_answer", retry.no_answer),
    ):
        outcomes = [call(outcome, MORNING)]
        assert codes(outcomes, MORNING + delay - timedelta(seconds=1)) == [ReasonCode.RETRY_WAIT]
        assert codes(outcomes, MORNING + delay) == []


# -- attempt limits -----------------------------------------------------------------


def test_the_daily_attempt_limit_lapses_at_the_next_local_day() -> None:
    outcomes = [call("answered", MORNING + timedelta(hours=i), id=i) for i in range(3)]
    at = MORNING + timedelta(hours=4)
    reasons = outcome_reasons(
        outcomes, DEFAULT.for_campaign, "spring", at, zones=("America/New_York",)
    )
    assert [r.code for r in reasons] == [ReasonCode.MAX_ATTEMPTS]
    assert reasons[0].until == datetime(2026, 11, 24, 0, 0, tzinfo=NY)


def test_the_daily_limit_is_counted_in_every_candidate_zone() -> None:
    # 23:30 in New York is already the next day in UTC: counted per UTC day
    # alone this would pass; the called party's day still has three calls.
    late = datetime(2026, 11, 23, 23, 30, tzinfo=NY)
    outcomes = [call("answered", late - timedelta(hours=12 - i), id=i) for i in range(3)]
    zones = ("America/New_York", "America/Los_Angeles")
    reasons = outcome_reasons(outcomes, DEFAULT.for_campaign, "spring", late, zones=zones)
    assert [r.code for r in reasons] == [ReasonCode.MAX_ATTEMPTS]
    # Los Angeles' day ends last: the conservative end of the wait.
    assert reasons[0].until == datetime(2026, 11, 24, 0, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


def test_the_total_attempt_limit_does_not_lapse() -> None:
    outcomes = [call("answered", MORNING + timedelta(days=i), id=i) for i in range(10)]
    reasons = outcome_reasons(
        outcomes, DEFAULT.for_campaign, "spring", MORNING + timedelta(days=60)
    )
    assert [r.code for r in reasons] == [ReasonCode.MAX_ATTEMPTS]
    assert reasons[0].until is None and "10 attempts" in reasons[0].detail


def test_totals_from_storage_count_rows_not_carried() -> None:
    outcomes = [call("answered", MORNING, id=1)]
    reasons = outcome_reasons(
        outcomes, DEFAULT.for_campaign, "spring", MORNING + timedelta(days=9), totals={"spring": 12}
    )
    assert [r.code for r in reasons] == [ReasonCode.MAX_ATTEMPTS]


def test_attempt_times_are_readable_per_campaign_and_across_all() -> None:
    outcomes = [
        call("busy", MORNING, "spring", id=1),
        call("answered", MORNING + timedelta(hours=1), "winter", id=2),
        call("sale", MORNING - timedelta(hours=30), "winter", id=3),
    ]
    since = MORNING - timedelta(hours=24)
    assert attempt_times(outcomes, since) == [MORNING, MORNING + timedelta(hours=1)]
    assert attempt_times(outcomes, since, "winter") == [MORNING + timedelta(hours=1)]
