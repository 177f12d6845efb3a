"""next_open: the exact earliest allowed instant, across nights, weekends, holidays and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dnc.numbers import parse
from dnc.rules import CallingHours, Preference, load_rulebook
from dnc.rules.model import DAY_SECONDS, Span
from dnc.rules.timeline import PlanLookup, from_utc_seconds, open_utc, utc_seconds_ceil

CONFIG = Path(__file__).resolve().parents[3] / "config"
RULEBOOK = load_rulebook(CONFIG / "rules", CONFIG / "nanp_area_codes.csv")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


NJ = "+12015550123"
FL = "+13055550123"
TX = "+12145550123"
LA = "+15045550123"
RI = "+14015550123"
ON = "+14165550123"
AU = "+61291234567"
AK = "+19075550123"
RU_MOBILE = "+79161234567"
DE = "+4930123456"
GB = "+442079460000"

NEXT_OPEN = [
    # (case, number, location, start UTC, expected UTC)
    ("already open is start itself", NJ, None, "2025-06-04 14:00:30.5", "2025-06-04 14:00:30.5"),
    ("NJ night to 08:00 EDT", NJ, None, "2025-06-04 02:00", "2025-06-04 12:00"),
    ("NJ at 21:00 EDT to next 08:00", NJ, None, "2025-06-05 01:00", "2025-06-05 12:00"),
    ("spring-forward night", NJ, None, "2025-03-09 06:00", "2025-03-09 12:00"),
    ("night before spring forward", NJ, None, "2025-03-09 02:00", "2025-03-09 12:00"),
    ("fall-back night", NJ, None, "2025-11-02 05:00", "2025-11-02 13:00"),
    ("fall-back repeated hour", NJ, None, "2025-11-02 06:30", "2025-11-02 13:00"),
    ("FL 20:00 to next 08:00", FL, None, "2025-06-05 00:00", "2025-06-05 12:00"),
    ("NJ with FL location closes at 20:00", NJ, "US-FL", "2025-06-05 00:00", "2025-06-05 12:00"),
    ("TX Sunday to noon CDT", TX, None, "2025-06-08 14:00", "2025-06-08 17:00"),
    ("LA Saturday evening skips Sunday", LA, None, "2025-06-08 01:00", "2025-06-09 13:00"),
    ("LA Christmas to the 26th", LA, None, "2025-12-25 14:00", "2025-12-26 14:00"),
    ("LA Mardi Gras to Ash Wednesday", LA, None, "2025-03-04 15:00", "2025-03-05 14:00"),
    ("RI Victory Day to Tuesday 09:00", RI, None, "2025-08-11 16:00", "2025-08-12 13:00"),
    ("RI Friday 18:00 to Saturday 10:00", RI, None, "2025-06-06 22:00", "2025-06-07 14:00"),
    ("RI Saturday 17:00 to Monday 09:00", RI, None, "2025-06-07 21:00", "2025-06-09 13:00"),
    ("CA Saturday 18:00 to Sunday 10:00", ON, None, "2025-06-07 22:00", "2025-06-08 14:00"),
    ("CA Friday 21:30 to Saturday 10:00", ON, None, "2025-06-07 01:30", "2025-06-07 14:00"),
    ("AU Anzac Day to Saturday 09:00", AU, None, "2025-04-25 02:00", "2025-04-25 23:00"),
    ("AU Saturday 17:00 skips Sunday", AU, None, "2025-06-07 07:00", "2025-06-08 23:00"),
    # Most 907 numbers may be anywhere the area code reaches, Honolulu's prefix included.
    ("Alaska waits for Honolulu", AK, None, "2025-06-04 16:00", "2025-06-04 18:00"),
    ("Alaska waits for Adak", AK, "America/Adak", "2025-06-04 16:00", "2025-06-04 17:00"),
    ("Russian mobile waits for Bucharest", RU_MOBILE, None, "2025-06-04 00:00", "2025-06-04 06:00"),
    (
        "Russian mobile after Kamchatka closes",
        RU_MOBILE,
        None,
        "2025-06-04 08:00",
        "2025-06-05 06:00",
    ),
    # 2026-01-01..11 are holidays, Saturdays never open across eleven hours of
    # zones, and winter time puts Bucharest at UTC+2.
    (
        "Russian mobile skips New Year holidays",
        RU_MOBILE,
        None,
        "2025-12-31 09:00",
        "2026-01-12 07:00",
    ),
    ("DE Whit Monday to Tuesday", DE, None, "2025-06-09 10:00", "2025-06-10 07:00"),
    ("UK bank holiday to Tuesday", GB, None, "2025-05-26 10:00", "2025-05-27 07:00"),
    (
        "IANA location replaces zones",
        NJ,
        "America/Los_Angeles",
        "2025-06-04 12:00",
        "2025-06-04 15:00",
    ),
]


@pytest.mark.parametrize(
    ("number", "location", "start", "expected"),
    [row[1:] for row in NEXT_OPEN],
    ids=[row[0] for row in NEXT_OPEN],
)
def test_next_open(number: str, location: str | None, start: str, expected: str) -> None:
    schedule = RULEBOOK.schedule_for(parse(number), location=location)
    found = schedule.next_open(utc(start))
    assert found == utc(expected)
    assert found is not None and found.tzinfo is UTC
    assert schedule.reasons_at(found) == []
    if found > utc(start):
        assert schedule.reasons_at(found - timedelta(seconds=1)) != []


def test_next_open_accepts_any_aware_start_and_answers_in_utc() -> None:
    schedule = RULEBOOK.schedule_for(parse("+12015550123"))
    start = datetime(2025, 6, 4, 7, 59, 59, 999_999, tzinfo=ZoneInfo("America/New_York"))
    assert schedule.next_open(start) == utc("2025-06-04 12:00")


def test_preference_contradicting_the_law_never_opens() -> None:
    sundays_only = Preference(days=frozenset({6}))
    schedule = RULEBOOK.schedule_for(parse("+15045550123"), preference=sundays_only)
    assert schedule.next_open(utc("2025-06-04 12:00")) is None


def test_preference_outside_the_hours_never_opens() -> None:
    late = Preference(not_before=time(21, 0))
    schedule = RULEBOOK.schedule_for(parse("+12015550123"), preference=late)
    assert schedule.next_open(utc("2025-06-04 12:00")) is None


def test_preference_narrows_next_open() -> None:
    prefer = Preference(not_before=time(10), not_after=time(18), days=frozenset(range(5)))
    schedule = RULEBOOK.schedule_for(parse("+12015550123"), preference=prefer)
    # Saturday 09:00 EDT: the person wants weekdays from 10:00 → Monday 10:00 EDT.
    assert schedule.next_open(utc("2025-06-07 13:00")) == utc("2025-06-09 14:00")


def test_campaign_hours_narrow_next_open() -> None:
    campaign = CallingHours.weekly({0: [("12:00", "13:00")], 2: [("09:00", "17:00")]})
    schedule = RULEBOOK.schedule_for(parse("+12015550123"), campaign_hours=campaign)
    assert schedule.next_open(utc("2025-06-04 21:00")) == utc("2025-06-09 16:00")


def test_horizon_bounds_the_search() -> None:
    schedule = RULEBOOK.schedule_for(parse("+15045550123"))
    start = utc("2025-06-07 01:00")  # Friday 20:00 CDT, next open Saturday 08:00
    assert schedule.next_open(start, horizon=timedelta(hours=12)) is None
    assert schedule.next_open(start, horizon=timedelta(hours=13)) == utc("2025-06-07 13:00")


def test_open_periods_over_a_weekend_in_louisiana() -> None:
    schedule = RULEBOOK.schedule_for(parse("+15045550123"))
    periods = schedule.open_periods(utc("2025-06-06 00:00"), utc("2025-06-10 00:00"))
    assert periods == [
        (utc("2025-06-06 00:00"), utc("2025-06-06 01:00")),  # Thursday 19:00-20:00 CDT
        (utc("2025-06-06 13:00"), utc("2025-06-07 01:00")),
        (utc("2025-06-07 13:00"), utc("2025-06-08 01:00")),
        (utc("2025-06-09 13:00"), utc("2025-06-10 00:00")),
    ]


# --- the timeline under next_open, on nights no packaged rule opens -----------


def spans_on(day: date, spans: tuple[Span, ...]) -> PlanLookup:
    return lambda d: spans if d == day else ()


def test_fall_back_hour_is_open_twice() -> None:
    # 01:30-02:30 on 2025-11-02 in New York: 01:30-02:00 EDT, then 01:30-02:30 EST.
    zone = ZoneInfo("America/New_York")
    start = utc_seconds_ceil(utc("2025-11-02 00:00"))
    found = open_utc(zone, start, start + DAY_SECONDS, spans_on(date(2025, 11, 2), ((5400, 9000),)))
    assert [(from_utc_seconds(a), from_utc_seconds(b)) for a, b in found] == [
        (utc("2025-11-02 05:30"), utc("2025-11-02 06:00")),
        (utc("2025-11-02 06:30"), utc("2025-11-02 07:30")),
    ]


def test_spring_forward_gap_has_no_instants() -> None:
    # 01:30-03:30 on 2025-03-09 in New York: 02:00-03:00 does not exist.
    zone = ZoneInfo("America/New_York")
    start = utc_seconds_ceil(utc("2025-03-09 00:00"))
    found = open_utc(zone, start, start + DAY_SECONDS, spans_on(date(2025, 3, 9), ((5400, 12600),)))
    assert [(from_utc_seconds(a), from_utc_seconds(b)) for a, b in found] == [
        (utc("2025-03-09 06:30"), utc("2025-03-09 07:30")),
    ]


@pytest.mark.parametrize(
    ("zone_key", "day"),
    [
        ("America/New_York", date(2025, 3, 9)),
        ("America/New_York", date(2025, 11, 2)),
        ("Europe/London", date(2025, 3, 30)),
        ("Europe/London", date(2025, 10, 26)),
        ("Australia/Lord_Howe", date(2025, 4, 6)),  # a 30-minute change
        ("America/Santiago", date(2025, 9, 7)),  # clocks change at midnight
        ("America/Santiago", date(2025, 4, 6)),
        ("Asia/Kolkata", date(2025, 6, 4)),
    ],
)
def test_open_utc_matches_astimezone_second_by_second_around_changes(
    zone_key: str, day: date
) -> None:
    zone = ZoneInfo(zone_key)
    plan = {  # odd spans that straddle typical change times and midnight
        day - timedelta(days=1): ((0, 3600), (82800, DAY_SECONDS)),
        day: ((0, 1800), (3000, 5400), (7000, 11000), (86000, DAY_SECONDS)),
        day + timedelta(days=1): ((0, 600),),
    }

    def lookup(d: date) -> tuple[Span, ...]:
        return plan.get(d, ())

    start = utc_seconds_ceil(datetime.combine(day, time(), zone) - timedelta(hours=14))
    found: list[tuple[int, int]] = []
    for chunk in range(start, start + 2 * DAY_SECONDS, DAY_SECONDS):
        found.extend(open_utc(zone, chunk, chunk + DAY_SECONDS, lookup))

    def is_open(second: int) -> bool:
        wall = from_utc_seconds(second).astimezone(zone)
        secs = wall.hour * 3600 + wall.minute * 60 + wall.second
        return any(a <= secs < b for a, b in lookup(wall.date()))

    def in_found(second: int) -> bool:
        return any(a <= second < b for a, b in found)

    # Every span edge is a multiple of 200 s in UTC here, as are all offsets
    # involved, so checking every 100 s also checks both sides of each edge.
    for second in range(start, start + 2 * DAY_SECONDS, 100):
        assert in_found(second) == is_open(second), from_utc_seconds(second)
