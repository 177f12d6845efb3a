"""Consent requirements and frequency caps, as exposed by a schedule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from dnc.errors import InputError
from dnc.numbers import parse
from dnc.rules import CallingHours, CapScope, Consent, Preference, load_rulebook
from dnc.verdicts import ReasonCode

CONFIG = Path(__file__).resolve().parents[3] / "config"
RULEBOOK = load_rulebook(CONFIG / "rules", CONFIG / "nanp_area_codes.csv")


@pytest.mark.parametrize(
    ("number", "call_type", "required"),
    [
        ("+12015550123", None, False),
        ("+14165550123", None, False),
        ("+442079460000", None, False),
        ("+61291234567", None, False),
        ("+4930123456", None, True),
        ("+3726123456", None, True),
        ("+37052123456", None, True),
        ("+74951234567", None, True),
        ("+33142685300", None, True),  # the default fails safe
        # Oklahoma's consent rule is for autodialed calls; an unstated call
        # type gets every typed rule.
        ("+14055550123", None, True),
        ("+14055550123", "autodialed", True),
        ("+14055550123", "live", False),
    ],
)
def test_consent_required(number: str, call_type: str | None, required: bool) -> None:
    schedule = RULEBOOK.schedule_for(parse(number), call_type=call_type)
    assert schedule.consent_required is required
    reason = schedule.consent_reason()
    assert (reason is not None) is required


def test_consent_reason_names_law_and_source() -> None:
    reason = RULEBOOK.schedule_for(parse("+4930123456")).consent_reason()
    assert reason is not None and reason.code is ReasonCode.CONSENT_REQUIRED
    assert reason.detail.startswith("Germany requires the called party's prior express consent")
    assert "UWG 7(2)" in reason.detail


def test_consent_at_respects_effective_dates() -> None:
    schedule = RULEBOOK.schedule_for(parse("+14055550123"))
    rule = schedule.consent_at(datetime(2022, 11, 2, 18, tzinfo=UTC))
    assert rule is not None and rule.level is Consent.EXPRESS_WRITTEN
    before = schedule.consent_at(datetime(2022, 10, 31, 18, tzinfo=UTC))
    assert before is not None and before.level is Consent.NONE


@pytest.mark.parametrize(
    ("number", "caps"),
    [
        ("+12015550123", []),
        ("+13055550123", [(3, 24, CapScope.SUBJECT, "US-FL")]),
        ("+14055550123", [(3, 24, CapScope.ALL, "US-OK")]),
        ("+14105550123", [(3, 24, CapScope.SUBJECT, "US-MD")]),
        ("+12145550123", []),
    ],
)
def test_frequency_caps(number: str, caps: list[tuple[int, int, CapScope, str]]) -> None:
    schedule = RULEBOOK.schedule_for(parse(number))
    assert [
        (c.calls, c.per / timedelta(hours=1), c.scope, c.jurisdiction)
        for c in schedule.frequency_caps
    ] == caps
    assert all(c.source for c in schedule.frequency_caps)


def test_maryland_cap_starts_on_2024_01_01_local_time() -> None:
    schedule = RULEBOOK.schedule_for(parse("+14105550123"))
    # 2024-01-01 03:00 UTC is still 2023-12-31 in Maryland.
    assert schedule.frequency_caps_at(datetime(2024, 1, 1, 3, tzinfo=UTC)) == ()
    assert len(schedule.frequency_caps_at(datetime(2024, 1, 1, 6, tzinfo=UTC))) == 1


def test_location_adds_the_other_states_caps() -> None:
    schedule = RULEBOOK.schedule_for(parse("+13055550123"), location="US-MD")
    assert {c.jurisdiction for c in schedule.frequency_caps} == {"US-FL", "US-MD"}


@pytest.mark.parametrize(
    "build",
    [
        lambda: Preference(not_before=time(18), not_after=time(10)),
        lambda: Preference(days=frozenset({7})),
        lambda: CallingHours.daily("17:00", "09:00"),
        lambda: CallingHours.daily("9am", "17:00"),
        lambda: CallingHours.weekly({8: [("09:00", "17:00")]}),
        lambda: CallingHours(by_weekday=((),)),
    ],
)
def test_bad_campaign_hours_and_preferences_are_input_errors(build: Callable[[], object]) -> None:
    with pytest.raises(InputError):
        build()


def test_preference_and_campaign_reasons() -> None:
    prefer = Preference(not_before=time(10), not_after=time(18), days=frozenset(range(5)))
    campaign = CallingHours.daily("09:00", "17:00")
    schedule = RULEBOOK.schedule_for(
        parse("+12015550123"), campaign_hours=campaign, preference=prefer
    )
    at = datetime(2025, 6, 4, 13, 30, tzinfo=UTC)  # Wednesday 09:30 EDT
    (reason,) = schedule.reasons_at(at)
    assert reason.code is ReasonCode.PREFERRED_HOURS
    assert reason.detail == (
        "09:30 in America/New_York is outside the called party's preferred hours 10:00–18:00"
    )
    at = datetime(2025, 6, 4, 21, 30, tzinfo=UTC)  # 17:30 EDT
    (reason,) = schedule.reasons_at(at)
    assert reason.code is ReasonCode.OUTSIDE_CALLING_HOURS
    assert "the campaign's calling hours 09:00–17:00" in reason.detail
    at = datetime(2025, 6, 7, 15, tzinfo=UTC)  # Saturday 11:00 EDT
    (reason,) = schedule.reasons_at(at)
    assert reason.code is ReasonCode.PREFERRED_HOURS
    assert "prefers no calls on Saturdays" in reason.detail
