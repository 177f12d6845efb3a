"""Instants as a person reads them: to the minute, local beside UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from dnc.moments import describe, minute

AT = datetime(2026, 12, 3, 14, 0, 17, 78044, tzinfo=UTC)


def test_a_number_with_one_zone_reads_local_time_beside_utc() -> None:
    assert describe(AT, ("America/Chicago",)) == "08:00 CST Thu 3 Dec 2026 (14:00 UTC)"


def test_the_year_is_left_out_when_it_is_this_year() -> None:
    now = datetime(2026, 12, 2, 19, 18, tzinfo=UTC)
    assert describe(AT, ("America/Chicago",), now=now) == "08:00 CST Thu 3 Dec (14:00 UTC)"
    assert describe(AT, (), now=now - timedelta(days=400)) == "14:00 UTC Thu 3 Dec 2026"


def test_without_a_zone_the_time_is_said_in_utc() -> None:
    assert describe(AT) == "14:00 UTC Thu 3 Dec 2026"


def test_zones_that_disagree_have_no_one_local_time() -> None:
    # A NANP area code spanning Eastern and Central time.
    assert describe(AT, ("America/New_York", "America/Chicago")) == "14:00 UTC Thu 3 Dec 2026"


def test_zones_that_agree_at_that_instant_are_one_local_time() -> None:
    said = describe(AT, ("America/New_York", "America/Detroit"))
    assert said == "09:00 EST Thu 3 Dec 2026 (14:00 UTC)"


def test_a_number_in_utc_is_said_once() -> None:
    assert describe(AT, ("Atlantic/Reykjavik",)) == "14:00 UTC Thu 3 Dec 2026"


def test_minute_is_sortable_utc_without_seconds() -> None:
    assert minute(AT.astimezone(timezone(timedelta(hours=-5)))) == "2026-12-03 14:00 UTC"


SHAPE = re.compile(r"^\d\d:\d\d \S+ \w{3} \d{1,2} \w{3} \d{4}( \(\d\d:\d\d UTC\))?$")


@settings(max_examples=50)
@given(
    st.datetimes(datetime(2000, 1, 1), datetime(2200, 1, 1), timezones=st.just(UTC)),
    st.sampled_from(["Europe/London", "Asia/Tokyo"]),
)
def test_every_instant_reads_to_the_minute_with_its_utc_time(at: datetime, zone: str) -> None:
    text = describe(at, (zone,))
    assert SHAPE.match(text), text
    assert f"{at:%H:%M} UTC" in text
    assert minute(at) == f"{at:%Y-%m-%d %H:%M} UTC"
