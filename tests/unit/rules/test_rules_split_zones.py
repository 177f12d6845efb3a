"""Area codes that span several time zones.

phonenumbers places most numbers of a split area code only by the area
code, and then answers one zone for all of it: every 812 number not on its
list of Central exchanges is "America/New_York", though south-west Indiana
keeps Central time. Such a number may be anywhere the area code reaches, so
every zone the area-code table lists for it applies: a call is allowed only
when it is allowed in each, and the next allowed instant is when all allow.
A number phonenumbers places by its exchange keeps that exchange's zones.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phonenumbers import timezone as pn_timezone

from dnc.numbers import exchange_zones, from_stored, parse
from dnc.rules import load_rulebook
from dnc.verdicts import ReasonCode

CONFIG = Path(__file__).resolve().parents[3] / "config"
RULEBOOK = load_rulebook(CONFIG / "rules", CONFIG / "nanp_area_codes.csv")

HOURS = ReasonCode.OUTSIDE_CALLING_HOURS
OK: tuple[ReasonCode, ...] = ()
EASTERN, CENTRAL = "America/New_York", "America/Chicago"
PHOENIX, DENVER = "America/Phoenix", "America/Denver"

# Placed only by the area code (phonenumbers' one zone for all of it):
INDIANA = "+18122000123"  # 812: mostly Eastern, the south-west corner Central
PANHANDLE = "+18502010123"  # 850: Florida's panhandle, Eastern and Central
KENTUCKY = "+12702000123"  # 270: western Kentucky, Central and Eastern
TENNESSEE = "+14232000123"  # 423: east Tennessee, answered Central
ARIZONA = "+19282000123"  # 928: no DST, but the Navajo Nation keeps it
# Placed by their exchange:
PRINCETON_IN = "+18123850123"  # 812-385, Gibson County: Central
CHATTANOOGA_EAST = "+14232020123"  # 423-202: Eastern
TUBA_CITY = "+19282830123"  # 928-283, Navajo Nation: Denver and Phoenix


@pytest.mark.parametrize(
    ("number", "answer"),
    [
        (INDIANA, (EASTERN,)),
        (PANHANDLE, (EASTERN,)),
        (KENTUCKY, (EASTERN,)),
        (TENNESSEE, (CENTRAL,)),
        (ARIZONA, (PHOENIX,)),
        (PRINCETON_IN, (CENTRAL,)),
        (CHATTANOOGA_EAST, (EASTERN,)),
        (TUBA_CITY, (DENVER, PHOENIX)),
    ],
)
def test_what_phonenumbers_answers_for_split_area_codes(
    number: str, answer: tuple[str, ...]
) -> None:
    """The upstream facts these tests rest on (phonenumbers 9.0.43)."""
    assert pn_timezone.time_zones_for_number(phonenumbers.parse(number)) == answer
    assert parse(number).time_zones == answer


def test_which_answers_place_a_number_by_its_exchange() -> None:
    assert exchange_zones("812") == {(CENTRAL,)}
    assert exchange_zones("423") == {(EASTERN,)}
    assert exchange_zones("928") == {(DENVER, PHOENIX)}
    # 709's only answer is the area code's own (Halifax and St John's).
    assert exchange_zones("709") == frozenset()
    assert exchange_zones("201") == frozenset()


def zones_of(area_code: str) -> tuple[str, ...]:
    entry = RULEBOOK.area_code(area_code)
    assert entry is not None
    return entry.zones


@pytest.mark.parametrize(
    ("number", "location", "zones"),
    [
        (INDIANA, None, (CENTRAL, EASTERN)),
        (PANHANDLE, None, (CENTRAL, EASTERN)),
        (KENTUCKY, None, (CENTRAL, EASTERN)),
        (TENNESSEE, None, (CENTRAL, EASTERN)),
        (ARIZONA, None, (DENVER, PHOENIX)),
        # Alaska's area code reaches prefixes phonenumbers puts in Juneau and Honolulu.
        ("+19075550123", None, zones_of("907")),
        # Placed by the exchange: exactly known.
        (PRINCETON_IN, None, (CENTRAL,)),
        (CHATTANOOGA_EAST, None, (EASTERN,)),
        (TUBA_CITY, None, (DENVER, PHOENIX)),
        # An IANA zone says where the person is.
        (INDIANA, EASTERN, (EASTERN,)),
        # A state hint keeps the candidate zones inside the state: Georgia is
        # Eastern only; Indiana and Florida span both zones, so both remain.
        (PANHANDLE, "US-GA", (EASTERN,)),
        (PANHANDLE, "US-FL", (CENTRAL, EASTERN)),
        (INDIANA, "US-IN", (CENTRAL, EASTERN)),
        (TENNESSEE, "US-TN", (CENTRAL, EASTERN)),
        # The same number read back from a queue row is judged the same.
        (from_stored(18122000123, "US", EASTERN), None, (CENTRAL, EASTERN)),
    ],
)
def test_candidate_zones(number: object, location: str | None, zones: tuple[str, ...]) -> None:
    phone = parse(number) if isinstance(number, str) else number
    assert RULEBOOK.schedule_for(phone, location=location).zones == zones  # type: ignore[arg-type]


def local(text: str, zone: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


# Monday 2026-11-23 (Eastern UTC-5, Central UTC-6, Arizona and Denver UTC-7)
# and Monday 2026-06-15 (Denver on daylight time, UTC-6; Arizona UTC-7).
BOUNDARIES = [
    # (case, number, local time, zone, reasons, next allowed (local, zone) when refused)
    # Indiana, federal hours 08:00-21:00 in both zones: 09:00-21:00 Eastern.
    ("IN 08:00 EST is 07:00 CST", INDIANA, "2026-11-23 08:00", EASTERN, (HOURS,),
     ("2026-11-23 09:00", EASTERN)),
    ("IN 07:59 CST", INDIANA, "2026-11-23 07:59", CENTRAL, (HOURS,), ("2026-11-23 08:00", CENTRAL)),
    ("IN 08:00 CST", INDIANA, "2026-11-23 08:00", CENTRAL, OK, None),
    ("IN 08:01 CST", INDIANA, "2026-11-23 08:01", CENTRAL, OK, None),
    ("IN 20:59 EST", INDIANA, "2026-11-23 20:59", EASTERN, OK, None),
    ("IN 21:00 EST", INDIANA, "2026-11-23 21:00", EASTERN, (HOURS,),
     ("2026-11-24 08:00", CENTRAL)),
    ("IN 21:01 EST", INDIANA, "2026-11-23 21:01", EASTERN, (HOURS,),
     ("2026-11-24 08:00", CENTRAL)),
    # Princeton, Indiana is placed in Central by its exchange: Central hours only.
    ("IN exchange 07:59 CST", PRINCETON_IN, "2026-11-23 07:59", CENTRAL, (HOURS,),
     ("2026-11-23 08:00", CENTRAL)),
    ("IN exchange 20:30 CST", PRINCETON_IN, "2026-11-23 20:30", CENTRAL, OK, None),
    # The panhandle, Florida 08:00-20:00 in both zones: 08:00 CST to 20:00 EST.
    ("FL 07:59 CST", PANHANDLE, "2026-11-23 07:59", CENTRAL, (HOURS, HOURS),
     ("2026-11-23 08:00", CENTRAL)),
    ("FL 08:00 CST", PANHANDLE, "2026-11-23 08:00", CENTRAL, OK, None),
    ("FL 08:01 CST", PANHANDLE, "2026-11-23 08:01", CENTRAL, OK, None),
    ("FL 19:59 EST", PANHANDLE, "2026-11-23 19:59", EASTERN, OK, None),
    ("FL 20:00 EST", PANHANDLE, "2026-11-23 20:00", EASTERN, (HOURS,),
     ("2026-11-24 08:00", CENTRAL)),
    ("FL 20:01 EST", PANHANDLE, "2026-11-23 20:01", EASTERN, (HOURS,),
     ("2026-11-24 08:00", CENTRAL)),
    # Kentucky, answered Eastern: not before 08:00 Central.
    ("KY 08:59 EST", KENTUCKY, "2026-11-23 08:59", EASTERN, (HOURS,),
     ("2026-11-23 09:00", EASTERN)),
    ("KY 09:00 EST", KENTUCKY, "2026-11-23 09:00", EASTERN, OK, None),
    # Tennessee, answered Central: not at 21:00 Eastern.
    ("TN 19:59 CST", TENNESSEE, "2026-11-23 19:59", CENTRAL, OK, None),
    ("TN 20:00 CST is 21:00 EST", TENNESSEE, "2026-11-23 20:00", CENTRAL, (HOURS,),
     ("2026-11-24 08:00", CENTRAL)),
    ("TN 20:01 CST", TENNESSEE, "2026-11-23 20:01", CENTRAL, (HOURS,),
     ("2026-11-24 08:00", CENTRAL)),
    ("TN exchange 08:00 EST", CHATTANOOGA_EAST, "2026-11-23 08:00", EASTERN, OK, None),
    # Arizona in summer: the Navajo Nation's 21:00 is 20:00 in Phoenix.
    ("AZ 19:59 MST", ARIZONA, "2026-06-15 19:59", PHOENIX, OK, None),
    ("AZ 20:00 MST is 21:00 MDT", ARIZONA, "2026-06-15 20:00", PHOENIX, (HOURS,),
     ("2026-06-16 08:00", PHOENIX)),
    ("AZ 20:01 MST", ARIZONA, "2026-06-15 20:01", PHOENIX, (HOURS,),
     ("2026-06-16 08:00", PHOENIX)),
    ("AZ 07:59 MST", ARIZONA, "2026-06-15 07:59", PHOENIX, (HOURS,),
     ("2026-06-15 08:00", PHOENIX)),
    ("AZ 08:00 MST", ARIZONA, "2026-06-15 08:00", PHOENIX, OK, None),
    # In winter the two agree: Phoenix hours.
    ("AZ winter 20:59 MST", ARIZONA, "2026-11-23 20:59", PHOENIX, OK, None),
    ("AZ winter 21:00 MST", ARIZONA, "2026-11-23 21:00", PHOENIX, (HOURS,),
     ("2026-11-24 08:00", PHOENIX)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("number", "when", "zone", "expected", "next_allowed"),
    [row[1:] for row in BOUNDARIES],
    ids=[row[0] for row in BOUNDARIES],
)
def test_split_zone_boundaries(
    number: str,
    when: str,
    zone: str,
    expected: tuple[ReasonCode, ...],
    next_allowed: tuple[str, str] | None,
) -> None:
    schedule = RULEBOOK.schedule_for(parse(number))
    at = local(when, zone)
    assert tuple(r.code for r in schedule.reasons_at(at)) == expected
    found = schedule.next_open(at)
    assert found == (at if next_allowed is None else local(*next_allowed))


def test_the_refusal_names_the_zone_that_is_still_closed() -> None:
    schedule = RULEBOOK.schedule_for(parse(INDIANA))
    (reason,) = schedule.reasons_at(local("2026-11-23 08:00", EASTERN))
    assert "07:00 in America/Chicago" in reason.detail
    assert EASTERN not in reason.detail


# -- properties ----------------------------------------------------------------

# A number phonenumbers places only by the area code, for each split area code.
PLACED_BY_AREA_CODE = [
    INDIANA,
    PANHANDLE,
    KENTUCKY,
    TENNESSEE,
    ARIZONA,
    "+12192000123",  # IN, Eastern and Central
    "+15412000123",  # OR, Pacific and Mountain
    "+16202000123",  # KS, Central and Mountain
    "+18072000123",  # ON, Eastern and Central
    "+18672000123",  # NT NU YT: five zones
    "+19062000123",  # MI, Eastern and Central
    "+19075550123",  # AK
]

instants = st.one_of(
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    # Around the US clock changes, where zones of one area code drift apart.
    st.builds(
        lambda change, minutes: change + timedelta(minutes=minutes),
        st.sampled_from(
            [datetime(2026, 3, 8, 8, tzinfo=UTC), datetime(2026, 11, 1, 7, tzinfo=UTC)]
        ),
        st.integers(-36 * 60, 36 * 60),
    ),
)
SLOW = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(number=st.sampled_from(PLACED_BY_AREA_CODE), at=instants)
def test_allowed_only_when_every_zone_of_the_area_code_allows(number: str, at: datetime) -> None:
    phone = parse(number)
    area_zones = zones_of(phone.area_code or "")
    assert len(area_zones) > 1
    schedule = RULEBOOK.schedule_for(phone)
    each = [RULEBOOK.schedule_for(phone, location=zone) for zone in area_zones]
    assert schedule.is_open(at) == all(s.is_open(at) for s in each)
    found = schedule.next_open(at)
    if found is None:
        return
    for own in each:
        opening = own.next_open(at)
        assert opening is not None and found >= opening
        assert own.is_open(found)
