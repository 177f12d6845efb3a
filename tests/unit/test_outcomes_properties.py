"""Invariants of the outcome rules, for any sequence of outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dnc.decide import decide
from dnc.facts import NumberFacts
from dnc.lists import Channel, ListEntry, Source
from dnc.numbers import parse
from dnc.outcomes import Outcome, OutcomeRecord, outcome_reasons, suppression_episodes
from dnc.policy import CampaignPolicies, ThreeNos
from dnc.verdicts import ReasonCode

START = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
PHONE = parse("+12015550123")
POLICIES = CampaignPolicies()


@st.composite
def outcome_records(draw: st.DrawFn) -> OutcomeRecord:
    kind = draw(st.sampled_from(list(Outcome)))
    at = START + timedelta(minutes=draw(st.integers(0, 60 * 24 * 20)))
    refusals = draw(st.integers(1, 4)) if kind is Outcome.REFUSED else 0
    callback = (
        at + timedelta(minutes=draw(st.integers(0, 600))) if kind is Outcome.CALLBACK else None
    )
    return OutcomeRecord(draw(st.sampled_from(["a", "b", "c"])), kind, at, refusals, callback)


sequences = st.lists(outcome_records(), max_size=25).map(
    lambda records: [
        OutcomeRecord(r.campaign, r.outcome, r.at, r.refusals, r.callback_at, id=i + 1)
        for i, r in enumerate(records)
    ]
)
instants = st.integers(0, 60 * 24 * 40).map(lambda m: START + timedelta(minutes=m))


@settings(max_examples=200, deadline=None)
@given(sequences, instants, st.sampled_from(["a", "b", None]))
def test_an_opt_out_is_never_overridden_by_any_outcome_sequence(
    outcomes: list[OutcomeRecord], at: datetime, campaign: str | None
) -> None:
    opt_out = ListEntry(99, PHONE.e164, None, Source.OPT_OUT, Channel.CALL, START, "agent")
    facts = NumberFacts(entries=(opt_out,), outcomes=tuple(outcomes))
    verdict = decide(PHONE, facts, campaign=campaign, at=at, policies=POLICIES)
    assert not verdict.allowed
    assert ReasonCode.DNC_INTERNAL in verdict.codes
    assert verdict.next_allowed_at is None


@settings(max_examples=200, deadline=None)
@given(sequences, st.randoms(use_true_random=False), instants)
def test_refusal_count_is_order_independent(
    outcomes: list[OutcomeRecord], rnd: object, at: datetime
) -> None:
    shuffled = list(outcomes)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    # Recording order is the id order: renumber after shuffling.
    renumbered = [
        OutcomeRecord(o.campaign, o.outcome, o.at, o.refusals, o.callback_at, id=i + 1)
        for i, o in enumerate(shuffled)
    ]
    for rule in (ThreeNos(), ThreeNos(window=timedelta(days=3), suppress=timedelta(days=5))):
        assert suppression_episodes(outcomes, rule) == suppression_episodes(renumbered, rule)

    def three_nos(seq: list[OutcomeRecord]) -> list[object]:
        reasons = outcome_reasons(seq, POLICIES.for_campaign, "a", at)
        return [(r.detail, r.until) for r in reasons if r.code is ReasonCode.THREE_NOS]

    assert three_nos(outcomes) == three_nos(renumbered)


@settings(max_examples=200, deadline=None)
@given(sequences, instants)
def test_more_refusals_never_lift_a_permanent_suppression(
    outcomes: list[OutcomeRecord], at: datetime
) -> None:
    def blocked(seq: list[OutcomeRecord]) -> bool:
        reasons = outcome_reasons(seq, POLICIES.for_campaign, "a", at)
        return any(r.code is ReasonCode.THREE_NOS for r in reasons)

    if blocked(outcomes):
        extra = OutcomeRecord("b", Outcome.REFUSED, at, 1, id=len(outcomes) + 1)
        assert blocked([*outcomes, extra])


@settings(max_examples=200, deadline=None)
@given(sequences, instants, st.sampled_from(["a", "b", None]))
def test_every_lapsing_reason_lapses_after_the_check(
    outcomes: list[OutcomeRecord], at: datetime, campaign: str | None
) -> None:
    for reason in outcome_reasons(
        outcomes, POLICIES.for_campaign, campaign, at, zones=("America/New_York",)
    ):
        assert reason.until is None or reason.until > at
