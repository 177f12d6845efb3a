"""Where the called party is: jurisdictions and zones from the number and a location hint."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from dnc.errors import InputError
from dnc.numbers import parse
from dnc.rules import load_rulebook
from dnc.verdicts import ReasonCode

CONFIG = Path(__file__).resolve().parents[3] / "config"
RULEBOOK = load_rulebook(CONFIG / "rules", CONFIG / "nanp_area_codes.csv")
START = datetime(2025, 6, 4, 15, tzinfo=UTC)

NJ = "+12015550123"
FL = "+13055550123"
ON = "+14165550123"
AK = "+19075550123"
RU_MOBILE = "+79161234567"
DE = "+4930123456"
GB = "+442079460000"
OK = "+14055550123"
AZ = "+16235550123"
PR = "+17875550123"
AU_MOBILE = "+61412345678"
FR = "+33142685300"

RESOLUTION = [
    # (case, number, location, jurisdictions, subdivisions, zones)
    ("NJ number", NJ, None, ("US",), ("US-NJ",), ("America/New_York",)),
    ("FL number", FL, None, ("US", "US-FL"), ("US-FL",), ("America/New_York",)),
    ("OK number", OK, None, ("US", "US-OK"), ("US-OK",), ("America/Chicago",)),
    ("Arizona 623 is Phoenix", AZ, None, ("US",), ("US-AZ",), ("America/Phoenix",)),
    # Placed only by its area code: every zone the area code reaches.
    (
        "Alaska",
        AK,
        None,
        ("US",),
        ("US-AK",),
        ("America/Adak", "America/Anchorage", "America/Juneau", "Pacific/Honolulu"),
    ),
    ("Puerto Rico is US", PR, None, ("US",), ("US-PR",), ("America/Puerto_Rico",)),
    ("Ontario", ON, None, ("CA",), ("CA-ON",), ("America/Toronto",)),
    (
        "NJ number in Florida",
        NJ,
        "US-FL",
        ("US", "US-FL"),
        ("US-NJ", "US-FL"),
        ("America/New_York",),
    ),
    (
        "location is case-blind",
        NJ,
        " us-fl ",
        ("US", "US-FL"),
        ("US-NJ", "US-FL"),
        ("America/New_York",),
    ),
    # The number's zones are not in Florida: all of Florida's zones apply.
    (
        "Alaska number in Florida",
        AK,
        "US-FL",
        ("US", "US-FL"),
        ("US-AK", "US-FL"),
        ("America/Chicago", "America/New_York"),
    ),
    (
        "FL number in Oklahoma",
        FL,
        "US-OK",
        ("US", "US-FL", "US-OK"),
        ("US-FL", "US-OK"),
        ("America/Chicago",),
    ),
    (
        "NJ number in Ontario",
        NJ,
        "CA-ON",
        ("US", "CA"),
        ("US-NJ", "CA-ON"),
        ("America/Toronto", "America/Winnipeg"),
    ),
    (
        "IANA zone replaces zones only",
        FL,
        "America/Chicago",
        ("US", "US-FL"),
        ("US-FL",),
        ("America/Chicago",),
    ),
    ("Russian mobile in Moscow", RU_MOBILE, "Europe/Moscow", ("RU",), (), ("Europe/Moscow",)),
    (
        "AU mobile in Western Australia",
        AU_MOBILE,
        "AU-WA",
        ("AU",),
        ("AU-WA",),
        ("Australia/Perth",),
    ),
    ("AU mobile in Tasmania", AU_MOBILE, "AU-TAS", ("AU",), ("AU-TAS",), ("Australia/Hobart",)),
    ("Berlin number in Bavaria", DE, "DE-BY", ("DE",), ("DE-BY",), ("Europe/Berlin",)),
    (
        "UK number in Florida",
        GB,
        "US-FL",
        ("GB", "US", "US-FL"),
        ("US-FL",),
        ("America/Chicago", "America/New_York"),
    ),
    ("French number", FR, None, ("DEFAULT:FR",), (), ("Europe/Paris",)),
    ("French number in Wales", FR, "GB-WLS", ("DEFAULT:FR", "GB"), ("GB-WLS",), ("Europe/London",)),
]


@pytest.mark.parametrize(
    ("number", "location", "jurisdictions", "subdivisions", "zones"),
    [row[1:] for row in RESOLUTION],
    ids=[row[0] for row in RESOLUTION],
)
def test_resolution(
    number: str,
    location: str | None,
    jurisdictions: tuple[str, ...],
    subdivisions: tuple[str, ...],
    zones: tuple[str, ...],
) -> None:
    schedule = RULEBOOK.schedule_for(parse(number), location=location)
    assert schedule.jurisdictions == jurisdictions
    assert schedule.subdivisions == subdivisions
    assert schedule.zones == zones


@pytest.mark.parametrize(
    "location",
    [
        "Florida",
        "US",
        "gb",
        "US-ZZ",
        "XX-AB",
        "RU-MOW",
        "Mars/Olympus",
        "america/chicago",
        "",
        "../etc",
    ],
)
def test_unusable_locations_are_input_errors(location: str) -> None:
    with pytest.raises(InputError):
        RULEBOOK.schedule_for(parse("+12015550123"), location=location)


def test_non_string_location_is_an_input_error() -> None:
    with pytest.raises(InputError):
        RULEBOOK.schedule_for(parse("+12015550123"), location=12)  # type: ignore[arg-type]


def test_number_must_be_parsed() -> None:
    with pytest.raises(InputError):
        RULEBOOK.schedule_for("+12015550123")  # type: ignore[arg-type]


def test_subdivision_without_known_zones_in_another_country_fails_closed() -> None:
    # Holidays knows Brazil's states, but no zone table says where BR-SP is.
    schedule = RULEBOOK.schedule_for(parse("+12015550123"), location="BR-SP")
    assert schedule.next_open(START) is None
    (reason,) = schedule.reasons_at(START)
    assert reason.code is ReasonCode.CHECK_FAILED
    assert "pass an IANA zone" in reason.detail


def test_schedules_are_cached_per_number_facts_and_location() -> None:
    first = RULEBOOK.schedule_for(parse("+12015550123"), location="US-FL")
    again = RULEBOOK.schedule_for(parse("+1 (201) 555-0123"), location="US-FL")
    assert first is again
