"""Calling hours and blocked days, table-driven, at each jurisdiction's boundary instants.

Every row is a local wall-clock time in the called party's zone; the
expected value is the list of reason codes, one per rule that refuses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dnc.errors import InputError
from dnc.numbers import parse
from dnc.rules import load_rulebook
from dnc.verdicts import ReasonCode

CONFIG = Path(__file__).resolve().parents[3] / "config"
RULEBOOK = load_rulebook(CONFIG / "rules", CONFIG / "nanp_area_codes.csv")

HOURS = ReasonCode.OUTSIDE_CALLING_HOURS
DAY = ReasonCode.BLOCKED_DAY
OK: tuple[ReasonCode, ...] = ()

# 2025-06-04 is an ordinary Wednesday, 2025-06-07 a Saturday, 2025-06-08 a Sunday.
NJ, FL, OK_, MD, WA = "+12015550123", "+13055550123", "+14055550123", "+14105550123", "+12065550123"
TX, LA, MS, RI = "+12145550123", "+15045550123", "+16015550123", "+14015550123"
ON, GB, AU, DE = "+14165550123", "+442079460000", "+61291234567", "+4930123456"
EE, LT, RU, FR = "+3726123456", "+37052123456", "+74951234567", "+33142685300"

BOUNDARIES = [
    # US federal alone (New Jersey has no state file): 08:00-21:00 every day.
    ("US 07:59", NJ, "2025-06-04 07:59", "America/New_York", (HOURS,)),
    ("US 08:00", NJ, "2025-06-04 08:00", "America/New_York", OK),
    ("US 20:59", NJ, "2025-06-04 20:59", "America/New_York", OK),
    ("US 21:00", NJ, "2025-06-04 21:00", "America/New_York", (HOURS,)),
    ("US Sunday 08:00", NJ, "2025-06-08 08:00", "America/New_York", OK),
    # Florida 08:00-20:00 on top of federal.
    ("FL 07:59", FL, "2025-06-04 07:59", "America/New_York", (HOURS, HOURS)),
    ("FL 08:00", FL, "2025-06-04 08:00", "America/New_York", OK),
    ("FL 19:59", FL, "2025-06-04 19:59", "America/New_York", OK),
    ("FL 20:00", FL, "2025-06-04 20:00", "America/New_York", (HOURS,)),
    ("OK 07:59", OK_, "2025-06-04 07:59", "America/Chicago", (HOURS, HOURS)),
    ("OK 08:00", OK_, "2025-06-04 08:00", "America/Chicago", OK),
    ("OK 19:59", OK_, "2025-06-04 19:59", "America/Chicago", OK),
    ("OK 20:00", OK_, "2025-06-04 20:00", "America/Chicago", (HOURS,)),
    ("MD 07:59", MD, "2025-06-04 07:59", "America/New_York", (HOURS, HOURS)),
    ("MD 08:00", MD, "2025-06-04 08:00", "America/New_York", OK),
    ("MD 19:59", MD, "2025-06-04 19:59", "America/New_York", OK),
    ("MD 20:00", MD, "2025-06-04 20:00", "America/New_York", (HOURS,)),
    ("WA 07:59", WA, "2025-06-04 07:59", "America/Los_Angeles", (HOURS, HOURS)),
    ("WA 08:00", WA, "2025-06-04 08:00", "America/Los_Angeles", OK),
    ("WA 19:59", WA, "2025-06-04 19:59", "America/Los_Angeles", OK),
    ("WA 20:00", WA, "2025-06-04 20:00", "America/Los_Angeles", (HOURS,)),
    # Texas: 09:00-21:00 Monday to Saturday, 12:00-21:00 on Sunday.
    ("TX 08:59", TX, "2025-06-04 08:59", "America/Chicago", (HOURS,)),
    ("TX 09:00", TX, "2025-06-04 09:00", "America/Chicago", OK),
    ("TX 20:59", TX, "2025-06-04 20:59", "America/Chicago", OK),
    ("TX 21:00", TX, "2025-06-04 21:00", "America/Chicago", (HOURS, HOURS)),
    ("TX Sunday 11:59", TX, "2025-06-08 11:59", "America/Chicago", (HOURS,)),
    ("TX Sunday 12:00", TX, "2025-06-08 12:00", "America/Chicago", OK),
    ("TX Sunday 20:59", TX, "2025-06-08 20:59", "America/Chicago", OK),
    ("TX Sunday 21:00", TX, "2025-06-08 21:00", "America/Chicago", (HOURS, HOURS)),
    # Louisiana: 08:00-20:00 Monday to Saturday, no Sundays.
    ("LA 07:59", LA, "2025-06-07 07:59", "America/Chicago", (HOURS, HOURS)),
    ("LA 08:00", LA, "2025-06-07 08:00", "America/Chicago", OK),
    ("LA 19:59", LA, "2025-06-07 19:59", "America/Chicago", OK),
    ("LA 20:00", LA, "2025-06-07 20:00", "America/Chicago", (HOURS,)),
    ("LA Sunday noon", LA, "2025-06-08 12:00", "America/Chicago", (DAY,)),
    ("MS 07:59", MS, "2025-06-04 07:59", "America/Chicago", (HOURS, HOURS)),
    ("MS 08:00", MS, "2025-06-04 08:00", "America/Chicago", OK),
    ("MS 19:59", MS, "2025-06-04 19:59", "America/Chicago", OK),
    ("MS 20:00", MS, "2025-06-04 20:00", "America/Chicago", (HOURS,)),
    ("MS Sunday noon", MS, "2025-06-08 12:00", "America/Chicago", (DAY,)),
    # Rhode Island: Mon-Fri 09:00-18:00, Saturday 10:00-17:00, no Sundays.
    ("RI 08:59", RI, "2025-06-04 08:59", "America/New_York", (HOURS,)),
    ("RI 09:00", RI, "2025-06-04 09:00", "America/New_York", OK),
    ("RI 17:59", RI, "2025-06-04 17:59", "America/New_York", OK),
    ("RI 18:00", RI, "2025-06-04 18:00", "America/New_York", (HOURS,)),
    ("RI Saturday 09:59", RI, "2025-06-07 09:59", "America/New_York", (HOURS,)),
    ("RI Saturday 10:00", RI, "2025-06-07 10:00", "America/New_York", OK),
    ("RI Saturday 16:59", RI, "2025-06-07 16:59", "America/New_York", OK),
    ("RI Saturday 17:00", RI, "2025-06-07 17:00", "America/New_York", (HOURS,)),
    ("RI Sunday noon", RI, "2025-06-08 12:00", "America/New_York", (DAY,)),
    # Canada: weekdays 09:00-21:30, weekends 10:00-18:00.
    ("CA 08:59", ON, "2025-06-04 08:59", "America/Toronto", (HOURS,)),
    ("CA 09:00", ON, "2025-06-04 09:00", "America/Toronto", OK),
    ("CA 21:29", ON, "2025-06-04 21:29", "America/Toronto", OK),
    ("CA 21:30", ON, "2025-06-04 21:30", "America/Toronto", (HOURS,)),
    ("CA Saturday 09:59", ON, "2025-06-07 09:59", "America/Toronto", (HOURS,)),
    ("CA Saturday 10:00", ON, "2025-06-07 10:00", "America/Toronto", OK),
    ("CA Saturday 17:59", ON, "2025-06-07 17:59", "America/Toronto", OK),
    ("CA Saturday 18:00", ON, "2025-06-07 18:00", "America/Toronto", (HOURS,)),
    # United Kingdom (company default after DMA guidance).
    ("GB 07:59", GB, "2025-06-04 07:59", "Europe/London", (HOURS,)),
    ("GB 08:00", GB, "2025-06-04 08:00", "Europe/London", OK),
    ("GB 20:59", GB, "2025-06-04 20:59", "Europe/London", OK),
    ("GB 21:00", GB, "2025-06-04 21:00", "Europe/London", (HOURS,)),
    ("GB Saturday 08:59", GB, "2025-06-07 08:59", "Europe/London", (HOURS,)),
    ("GB Saturday 09:00", GB, "2025-06-07 09:00", "Europe/London", OK),
    ("GB Sunday noon", GB, "2025-06-08 12:00", "Europe/London", (DAY,)),
    ("GB bank holiday", GB, "2025-05-26 12:00", "Europe/London", (DAY,)),
    # Australia: weekdays 09:00-20:00, Saturday 09:00-17:00, no Sundays.
    ("AU 08:59", AU, "2025-06-04 08:59", "Australia/Sydney", (HOURS,)),
    ("AU 09:00", AU, "2025-06-04 09:00", "Australia/Sydney", OK),
    ("AU 19:59", AU, "2025-06-04 19:59", "Australia/Sydney", OK),
    ("AU 20:00", AU, "2025-06-04 20:00", "Australia/Sydney", (HOURS,)),
    ("AU Saturday 16:59", AU, "2025-06-07 16:59", "Australia/Sydney", OK),
    ("AU Saturday 17:00", AU, "2025-06-07 17:00", "Australia/Sydney", (HOURS,)),
    ("AU Sunday noon", AU, "2025-06-08 12:00", "Australia/Sydney", (DAY,)),
    ("AU Anzac Day", AU, "2025-04-25 12:00", "Australia/Sydney", (DAY,)),
    # DE, EE, LT, RU and the default: weekdays 09:00-20:00, Saturday 10:00-17:00.
    ("DE 08:59", DE, "2025-06-04 08:59", "Europe/Berlin", (HOURS,)),
    ("DE 09:00", DE, "2025-06-04 09:00", "Europe/Berlin", OK),
    ("DE 19:59", DE, "2025-06-04 19:59", "Europe/Berlin", OK),
    ("DE 20:00", DE, "2025-06-04 20:00", "Europe/Berlin", (HOURS,)),
    ("DE Saturday 09:59", DE, "2025-06-07 09:59", "Europe/Berlin", (HOURS,)),
    ("DE Saturday 10:00", DE, "2025-06-07 10:00", "Europe/Berlin", OK),
    ("DE Saturday 16:59", DE, "2025-06-07 16:59", "Europe/Berlin", OK),
    ("DE Saturday 17:00", DE, "2025-06-07 17:00", "Europe/Berlin", (HOURS,)),
    ("DE Sunday noon", DE, "2025-06-08 12:00", "Europe/Berlin", (DAY,)),
    ("DE Whit Monday", DE, "2025-06-09 12:00", "Europe/Berlin", (DAY,)),
    # phonenumbers gives Estonian and Lithuanian numbers Europe/Bucharest,
    # which keeps the same time as Tallinn and Vilnius.
    ("EE 08:59", EE, "2025-06-04 08:59", "Europe/Tallinn", (HOURS,)),
    ("EE 09:00", EE, "2025-06-04 09:00", "Europe/Tallinn", OK),
    ("EE 19:59", EE, "2025-06-04 19:59", "Europe/Tallinn", OK),
    ("EE 20:00", EE, "2025-06-04 20:00", "Europe/Tallinn", (HOURS,)),
    ("LT 08:59", LT, "2025-06-04 08:59", "Europe/Vilnius", (HOURS,)),
    ("LT 09:00", LT, "2025-06-04 09:00", "Europe/Vilnius", OK),
    ("LT 19:59", LT, "2025-06-04 19:59", "Europe/Vilnius", OK),
    ("LT 20:00", LT, "2025-06-04 20:00", "Europe/Vilnius", (HOURS,)),
    ("RU 08:59", RU, "2025-06-04 08:59", "Europe/Moscow", (HOURS,)),
    ("RU 09:00", RU, "2025-06-04 09:00", "Europe/Moscow", OK),
    ("RU 19:59", RU, "2025-06-04 19:59", "Europe/Moscow", OK),
    ("RU 20:00", RU, "2025-06-04 20:00", "Europe/Moscow", (HOURS,)),
    ("RU Russia Day", RU, "2025-06-12 12:00", "Europe/Moscow", (DAY,)),
    ("default 08:59", FR, "2025-06-04 08:59", "Europe/Paris", (HOURS,)),
    ("default 09:00", FR, "2025-06-04 09:00", "Europe/Paris", OK),
    ("default 19:59", FR, "2025-06-04 19:59", "Europe/Paris", OK),
    ("default 20:00", FR, "2025-06-04 20:00", "Europe/Paris", (HOURS,)),
    ("default Bastille Day", FR, "2025-07-14 12:00", "Europe/Paris", (DAY,)),
    # US holidays: Louisiana and Rhode Island close; federal rules do not.
    ("LA Christmas", LA, "2025-12-25 12:00", "America/Chicago", (DAY,)),
    ("LA Mardi Gras", LA, "2025-03-04 12:00", "America/Chicago", (DAY,)),
    ("RI Victory Day", RI, "2025-08-11 12:00", "America/New_York", (DAY,)),
    ("RI Christmas", RI, "2025-12-25 12:00", "America/New_York", (DAY,)),
    ("US Christmas", NJ, "2025-12-25 12:00", "America/New_York", OK),
    # US DST days: the hours are wall-clock hours on both change days.
    ("spring day 07:59 EDT", NJ, "2025-03-09 07:59", "America/New_York", (HOURS,)),
    ("spring day 08:00 EDT", NJ, "2025-03-09 08:00", "America/New_York", OK),
    ("spring day 20:59 EDT", NJ, "2025-03-09 20:59", "America/New_York", OK),
    ("spring day 21:00 EDT", NJ, "2025-03-09 21:00", "America/New_York", (HOURS,)),
    ("fall day 07:59 EST", NJ, "2025-11-02 07:59", "America/New_York", (HOURS,)),
    ("fall day 08:00 EST", NJ, "2025-11-02 08:00", "America/New_York", OK),
    ("fall day repeated 01:30", NJ, "2025-11-02 01:30", "America/New_York", (HOURS,)),
]


def local(text: str, zone: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(
    ("number", "when", "zone", "expected"),
    [row[1:] for row in BOUNDARIES],
    ids=[row[0] for row in BOUNDARIES],
)
def test_boundaries(number: str, when: str, zone: str, expected: tuple[ReasonCode, ...]) -> None:
    schedule = RULEBOOK.schedule_for(parse(number))
    at = local(when, zone)
    reasons = schedule.reasons_at(at)
    assert tuple(r.code for r in reasons) == expected, [r.detail for r in reasons]
    assert schedule.is_open(at) is (expected == OK)


def test_detail_names_jurisdiction_local_time_window_and_source() -> None:
    schedule = RULEBOOK.schedule_for(parse(NJ))
    (reason,) = schedule.reasons_at(local("2025-06-04 21:05", "America/New_York"))
    assert reason.detail == (
        "21:05 in America/New_York is outside US federal calling hours 08:00–21:00 "
        "(47 CFR 64.1200(c)(1); 16 CFR 310.4(c) [S])"
    )


def test_texas_sunday_detail_says_which_days_hours() -> None:
    schedule = RULEBOOK.schedule_for(parse(TX))
    (reason,) = schedule.reasons_at(local("2025-06-08 11:59", "America/Chicago"))
    assert "11:59 in America/Chicago is outside Texas calling hours 12:00–21:00 on Sundays" in (
        reason.detail
    )


def test_holiday_detail_names_the_holiday() -> None:
    schedule = RULEBOOK.schedule_for(parse(LA))
    (reason,) = schedule.reasons_at(local("2025-12-25 12:00", "America/Chicago"))
    assert reason.detail.startswith("Thursday 2025-12-25 in America/Chicago: Christmas Day")
    assert "Louisiana" in reason.detail and "R-29617" in reason.detail


def test_sunday_ban_detail() -> None:
    schedule = RULEBOOK.schedule_for(parse(MS))
    (reason,) = schedule.reasons_at(local("2025-06-08 12:00", "America/Chicago"))
    assert reason.detail == (
        "Sunday 2025-06-08 in America/Chicago: Mississippi allows no calls on Sundays "
        "(Miss. Code Ann. 77-3-723 [S])"
    )


@pytest.mark.parametrize(
    ("when", "open_"),
    [("2021-06-30 20:30", True), ("2021-07-01 20:30", False)],
)
def test_florida_hours_take_effect_on_2021_07_01(when: str, open_: bool) -> None:
    schedule = RULEBOOK.schedule_for(parse(FL))
    assert schedule.is_open(local(when, "America/New_York")) is open_


# Alaska: phonenumbers places most +1907 numbers only by the area code, which
# also reaches prefixes it puts in America/Juneau (Anchorage's hours) and
# Pacific/Honolulu (no DST: an hour behind Adak in summer). All four apply.
ALASKA = {"America/Adak", "America/Anchorage", "America/Juneau", "Pacific/Honolulu"}


@pytest.mark.parametrize(
    ("utc", "refusing_zones"),
    [
        ("2025-06-04 16:00", {"America/Adak", "Pacific/Honolulu"}),  # 08:00 Anchorage
        ("2025-06-04 15:59", ALASKA),
        ("2025-06-04 16:59", {"America/Adak", "Pacific/Honolulu"}),
        ("2025-06-04 17:00", {"Pacific/Honolulu"}),  # 08:00 Adak, 07:00 Honolulu
        ("2025-06-04 18:00", set()),  # 08:00 Honolulu
        ("2025-06-05 04:59", set()),
        ("2025-06-05 05:00", {"America/Anchorage", "America/Juneau"}),  # 21:00 Anchorage
    ],
)
def test_alaska_is_open_only_when_every_zone_is(utc: str, refusing_zones: set[str]) -> None:
    schedule = RULEBOOK.schedule_for(parse("+19075550123"))
    assert schedule.zones == tuple(sorted(ALASKA))
    reasons = schedule.reasons_at(local(utc, "UTC"))
    named = {zone for r in reasons for zone in schedule.zones if zone in r.detail}
    assert named == refusing_zones


# A Russian mobile may be anywhere from Europe/Bucharest (UTC+3 in summer)
# to Asia/Kamchatka (UTC+12): 09:00-20:00 everywhere leaves 06:00-08:00 UTC.
@pytest.mark.parametrize(
    ("utc", "refusing_zones"),
    [
        ("2025-06-04 05:59", {"Europe/Bucharest", "Europe/Moscow"}),
        ("2025-06-04 06:00", set()),
        ("2025-06-04 07:59", set()),
        ("2025-06-04 08:00", {"Asia/Anadyr", "Asia/Kamchatka"}),
    ],
)
def test_russian_mobile_needs_every_zone_open(utc: str, refusing_zones: set[str]) -> None:
    schedule = RULEBOOK.schedule_for(parse("+79161234567"))
    assert len(schedule.zones) == 16
    reasons = schedule.reasons_at(local(utc, "UTC"))
    # Several closed zones are named in one reason per rule, not one reason each.
    named = {zone for r in reasons for zone in schedule.zones if zone in r.detail}
    assert named == refusing_zones
    assert len(reasons) <= 2


def test_location_hint_tightens_new_jersey_number_to_florida_hours() -> None:
    schedule = RULEBOOK.schedule_for(parse(NJ), location="US-FL")
    assert schedule.jurisdictions == ("US", "US-FL")
    assert schedule.zones == ("America/New_York",)
    assert schedule.is_open(local("2025-06-04 19:59", "America/New_York"))
    (reason,) = schedule.reasons_at(local("2025-06-04 20:00", "America/New_York"))
    assert "Florida" in reason.detail


def test_unknown_and_non_geographic_numbers_fail_closed() -> None:
    schedule = RULEBOOK.schedule_for(parse("+80012345678"))
    reasons = schedule.reasons_at(datetime(2025, 6, 4, 15, tzinfo=UTC))
    assert reasons and {r.code for r in reasons} == {ReasonCode.CHECK_FAILED}
    assert schedule.next_open(datetime(2025, 6, 4, 15, tzinfo=UTC)) is None


def test_default_country_without_holiday_calendar_fails_closed() -> None:
    schedule = RULEBOOK.schedule_for(parse("+24762889"))  # Ascension Island
    assert schedule.jurisdictions == ("DEFAULT:AC",)
    (reason,) = schedule.reasons_at(datetime(2025, 6, 4, 12, tzinfo=UTC))
    assert reason.code is ReasonCode.CHECK_FAILED
    assert "holiday calendar" in reason.detail


@pytest.mark.parametrize("bad", [datetime(2025, 6, 4, 12), "2025-06-04T12:00Z", None])
def test_naive_or_non_datetime_instants_are_refused(bad: object) -> None:
    schedule = RULEBOOK.schedule_for(parse(NJ))
    with pytest.raises(InputError):
        schedule.reasons_at(bad)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        schedule.next_open(bad)  # type: ignore[arg-type]
