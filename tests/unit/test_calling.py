"""Calling rules over a number's records: a cap that cannot be counted never passes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dnc.bootstrap import packaged_rulebook
from dnc.calling import calling_reasons
from dnc.numbers import parse
from dnc.policy import Calling

AT = datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # 11:00 in New York


def test_a_cap_reaching_past_the_attempts_read_raises_rather_than_undercounting() -> None:
    schedule = packaged_rulebook().schedule_for(parse("+12015550123"))
    week = Calling(max_calls=5, per=timedelta(days=7))
    with pytest.raises(ValueError, match="further than the attempts read"):
        calling_reasons(
            schedule,
            consents=(),
            outcomes=(),
            attempts_since=AT - timedelta(days=3),
            calling=week,
            campaign="spring",
            at=AT,
        )
    # With every attempt at hand, the same cap is simply counted.
    assert (
        calling_reasons(
            schedule,
            consents=(),
            outcomes=(),
            attempts_since=None,
            calling=week,
            campaign="spring",
            at=AT,
        )
        == []
    )
