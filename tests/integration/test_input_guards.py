"""Times that would open a hole and queue locations the rules cannot read are
refused when they come in, not discovered later as a callable number or a
CHECK_FAILED hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import dnc
from dnc import ReasonCode
from dnc.clock import CLOCK_SKEW
from dnc.importing import BadLineError

NUMBER = "+12015550123"
# The service fixture's clock (tests/conftest.py: NOW).
NOW = dnc.FixedClock(datetime(2026, 11, 23, 15, 0, tzinfo=UTC)).now()


@pytest.fixture(autouse=True)
def _same_clock(clock: dnc.FixedClock) -> None:
    assert clock.now() == NOW


def test_an_opt_out_dated_in_the_future_is_refused_and_nothing_recorded(
    service: dnc.Service,
) -> None:
    with pytest.raises(dnc.TimeRangeError, match="opt-out time .* is in the future.*back-dated"):
        service.opt_out(NUMBER, at=NOW + timedelta(hours=1))
    assert service.list_entries() == []
    assert service.history(NUMBER) == []


def test_an_opt_out_may_be_back_dated_and_a_fast_clock_is_allowed_for(
    service: dnc.Service,
) -> None:
    asked = service.opt_out(NUMBER, at=NOW - timedelta(days=30))
    assert asked.created_at == NOW - timedelta(days=30)
    service.opt_out("+12015550124", at=NOW + CLOCK_SKEW)
    assert service.check("+12015550124", at=NOW).codes == (ReasonCode.DNC_INTERNAL,)


def test_an_opt_out_outcome_dated_in_the_future_is_refused(service: dnc.Service) -> None:
    with pytest.raises(dnc.TimeRangeError, match="opt-out time"):
        service.record_outcome(NUMBER, "spring", "opt_out", at=NOW + timedelta(minutes=6))
    assert service.outcomes(NUMBER) == [] and service.list_entries() == []
    # Other outcomes are not opt-outs: no such limit here.
    service.record_outcome(NUMBER, "spring", "no_answer", at=NOW + timedelta(minutes=6))


@pytest.mark.parametrize("days", [-1, -30])
def test_an_expiry_already_past_is_refused(service: dnc.Service, days: int) -> None:
    past = NOW + timedelta(days=days)
    with pytest.raises(dnc.TimeRangeError, match="expiry .* is already past.*never block"):
        service.add_to_list(NUMBER, expires_at=past)
    with pytest.raises(dnc.TimeRangeError, match="already past"):
        service.block_prefix("+1201555", expires_at=past)
    assert service.list_entries() == [] and service.prefix_blocks() == []
    service.add_to_list(NUMBER, expires_at=NOW + timedelta(days=1))
    assert service.check(NUMBER, at=NOW).codes == (ReasonCode.DNC_INTERNAL,)


def leads(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "leads.csv"
    path.write_text("number,lead_id,location\n" + "".join(f"{r}\n" for r in rows))
    return path


@pytest.mark.parametrize("location", ["US-XX", "Mars/Olympus", "US"])
def test_a_queue_file_with_a_location_the_rules_cannot_read_loads_nothing(
    service: dnc.Service, tmp_path: Path, location: str
) -> None:
    path = leads(
        tmp_path, "2015550101,a,US-NJ", "2015550102,b,America/Chicago", f"2015550103,c,{location}"
    )
    with pytest.raises(BadLineError) as info:
        service.load_queue(path, "spring")
    assert (info.value.file, info.value.line, info.value.value) == (str(path), 4, location)
    assert service.queue("spring") == []


def test_a_queue_file_with_readable_locations_loads(service: dnc.Service, tmp_path: Path) -> None:
    path = leads(tmp_path, "2015550101,a,US-NJ", "2015550102,b,America/Chicago", "2015550103,c,")
    assert service.load_queue(path, "spring").added == 3
    assert [e.location for e in service.queue("spring")] == ["US-NJ", "America/Chicago", None]


def test_enqueue_refuses_a_location_the_rules_cannot_read(service: dnc.Service) -> None:
    with pytest.raises(dnc.LocationError, match="US-XX"):
        service.enqueue("spring", NUMBER, location="US-XX")
    assert service.queue("spring") == []
    assert service.enqueue("spring", NUMBER, location="US-NJ")
