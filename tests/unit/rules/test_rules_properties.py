"""Invariants of the calling-rules engine, checked with hypothesis."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dnc.numbers import parse
from dnc.rules import CallingHours, Preference, load_rulebook

CONFIG = Path(__file__).resolve().parents[3] / "config"
RULEBOOK = load_rulebook(CONFIG / "rules", CONFIG / "nanp_area_codes.csv")

NUMBERS = [
    "+12015550123",  # NJ: federal only
    "+13055550123",  # FL
    "+12145550123",  # TX
    "+15045550123",  # LA: Sundays and holidays
    "+14015550123",  # RI
    "+14165550123",  # ON
    "+19075550123",  # AK: two zones
    "+18505550123",  # FL panhandle
    "+442079460000",  # GB
    "+61412345678",  # AU mobile: eight zones
    "+79161234567",  # RU mobile: sixteen zones
    "+4930123456",  # DE
    "+33142685300",  # FR: the default
]
LOCATIONS = [None, "US-FL", "US-TX", "America/Chicago", "Europe/London"]

instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
# Clock changes are where exactness is hardest; a third of the instants fall
# within a day and a half of one (US, EU and Australian changes).
CHANGES = [
    datetime(2025, 3, 9, 7, tzinfo=UTC),
    datetime(2025, 11, 2, 6, tzinfo=UTC),
    datetime(2025, 3, 30, 1, tzinfo=UTC),
    datetime(2025, 10, 26, 1, tzinfo=UTC),
    datetime(2025, 4, 5, 16, tzinfo=UTC),
    datetime(2025, 10, 4, 16, tzinfo=UTC),
]
near_changes = st.builds(
    lambda change, minutes: change + timedelta(minutes=minutes),
    st.sampled_from(CHANGES),
    st.integers(-36 * 60, 36 * 60),
)
instants = st.one_of(instants, instants, near_changes)
clock = st.integers(min_value=0, max_value=24 * 4).map(lambda q: q * 15 * 60)


@st.composite
def campaign_hours(draw: st.DrawFn) -> CallingHours:
    table: dict[int, list[tuple[str, str]]] = {}
    for day in draw(st.sets(st.integers(0, 6), min_size=1)):
        start, end = sorted(draw(st.lists(clock, min_size=2, max_size=2, unique=True)))
        table[day] = [(_hhmm(start), _hhmm(end))]
    return CallingHours.weekly(table)


def _hhmm(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


preferences = st.builds(
    Preference,
    not_before=st.sampled_from([None, time(7), time(10), time(12, 30)]),
    not_after=st.sampled_from([None, time(14), time(18), time(22)]),
    days=st.one_of(st.none(), st.frozensets(st.integers(0, 6), min_size=1)),
)

SLOW = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(number=st.sampled_from(NUMBERS), location=st.sampled_from(LOCATIONS), start=instants)
def test_next_open_is_open_and_nothing_earlier_is(
    number: str, location: str | None, start: datetime
) -> None:
    schedule = RULEBOOK.schedule_for(parse(number), location=location)
    found = schedule.next_open(start)
    if found is None:
        return
    assert found >= start
    assert schedule.reasons_at(found) == []
    # Every minute between start and the answer is closed (bounded walk: a
    # long gap is checked on its first and last three days).
    step = timedelta(minutes=1)
    probe = start
    while probe < found:
        if found - probe > timedelta(days=6) and probe - start > timedelta(days=3):
            probe = found - timedelta(days=3)
        assert not schedule.is_open(probe), probe
        probe += step
    if found > start:
        assert not schedule.is_open(found - timedelta(microseconds=1))


@SLOW
@given(
    number=st.sampled_from(NUMBERS),
    campaign=campaign_hours(),
    preference=st.one_of(st.none(), preferences),
    at=instants,
)
def test_a_campaign_or_preference_never_allows_what_the_law_forbids(
    number: str, campaign: CallingHours, preference: Preference | None, at: datetime
) -> None:
    law = RULEBOOK.schedule_for(parse(number))
    narrowed = RULEBOOK.schedule_for(parse(number), campaign_hours=campaign, preference=preference)
    if narrowed.is_open(at):
        assert law.is_open(at)
    if not law.is_open(at):
        assert narrowed.reasons_at(at) != []


@SLOW
@given(number=st.sampled_from(["+19075550123", "+61412345678", "+79161234567"]), at=instants)
def test_open_in_a_multi_zone_number_means_open_in_each_zone(number: str, at: datetime) -> None:
    schedule = RULEBOOK.schedule_for(parse(number))
    assert len(schedule.zones) > 1
    each = [RULEBOOK.schedule_for(parse(number), location=z).is_open(at) for z in schedule.zones]
    assert schedule.is_open(at) == all(each)


@SLOW
@given(number=st.sampled_from(NUMBERS), location=st.sampled_from(LOCATIONS), at=instants)
def test_reasons_are_empty_exactly_when_open(
    number: str, location: str | None, at: datetime
) -> None:
    schedule = RULEBOOK.schedule_for(parse(number), location=location)
    assert (schedule.reasons_at(at) == []) == schedule.is_open(at)


@SLOW
@given(number=st.sampled_from(NUMBERS), start=instants, hours=st.integers(1, 96))
def test_open_periods_agree_with_is_open(number: str, start: datetime, hours: int) -> None:
    schedule = RULEBOOK.schedule_for(parse(number))
    start = start.replace(microsecond=0)  # periods are whole seconds
    end = start + timedelta(hours=hours)
    periods = schedule.open_periods(start, end)
    for lo, hi in periods:
        assert schedule.is_open(lo)
        assert schedule.is_open(hi - timedelta(seconds=1))
        assert hi == end or not schedule.is_open(hi)
    probe = start
    while probe < end:
        inside = any(lo <= probe < hi for lo, hi in periods)
        assert inside == schedule.is_open(probe), probe
        probe += timedelta(minutes=7)


@SLOW
@given(number=st.sampled_from(NUMBERS), location=st.sampled_from(LOCATIONS))
def test_a_location_hint_only_adds_rules(number: str, location: str | None) -> None:
    plain = RULEBOOK.schedule_for(parse(number))
    hinted = RULEBOOK.schedule_for(parse(number), location=location)
    assert set(plain.jurisdictions) <= set(hinted.jurisdictions)
