"""The line a number is on, and who must ask before an automatic call (dnc.wireless)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from dnc.numbers import parse
from dnc.policy import Calling
from dnc.registries import RegistryDefinition
from dnc.wireless import Line, dials_automatically, line_of, plan_line, plan_splits

AT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
US_WIRELESS = RegistryDefinition(
    "us-wireless", regions=frozenset({"US"}), format="wireless", required=False
)


@pytest.mark.parametrize(
    ("number", "line"),
    [
        ("+447400123456", Line.WIRELESS),  # UK mobile range
        ("+442079460000", Line.WIRELINE),  # London
        ("+4915123456789", Line.WIRELESS),
        ("+12015550123", Line.UNKNOWN),  # NANP: fixed line or mobile
        ("+18762101234", Line.WIRELESS),  # Jamaica tells them apart
        ("+18769221234", Line.WIRELINE),
        ("+18765230123", Line.UNKNOWN),  # a range of both
        ("+18005550123", Line.UNKNOWN),  # toll-free: the called party may pay
    ],
)
def test_the_numbering_plan_tells_where_it_can(number: str, line: Line) -> None:
    assert plan_line(parse(number).e164)[0] is line


def test_only_a_plan_that_tells_lines_apart_splits_a_group() -> None:
    assert not plan_splits("US") and not plan_splits("CA")
    assert plan_splits("GB") and plan_splits("JM") and plan_splits("DE")


def test_only_a_campaign_declared_manual_dials_by_hand() -> None:
    assert not dials_automatically(Calling(call_type="live"))
    assert dials_automatically(Calling(call_type="autodialed"))
    assert dials_automatically(Calling(call_type="prerecorded"))
    assert dials_automatically(Calling())


def test_the_data_wins_over_the_plan_and_a_stale_wireline_mark_does_not_count() -> None:
    phone = parse("+12015550123")
    fresh = {"us-wireless": date(2026, 11, 20)}
    stale = {"us-wireless": date(2026, 10, 1)}
    wireline = {"us-wireless": False}
    defs = (US_WIRELESS,)
    assert line_of(phone, fresh, wireline, defs, AT)[0] is Line.WIRELINE
    assert line_of(phone, stale, wireline, defs, AT)[0] is Line.UNKNOWN
    assert line_of(phone, stale, {"us-wireless": True}, defs, AT)[0] is Line.WIRELESS
    line, how = line_of(phone, {}, {}, defs, AT)
    assert line is Line.UNKNOWN and "no us-wireless data imported" in how
    # A source covers only its own numbers: a UK mobile is what its plan says.
    assert line_of(parse("+447400123456"), fresh, {}, defs, AT)[0] is Line.WIRELESS
