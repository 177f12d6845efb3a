"""How a claim ends, as the README tells a dialer developer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dnc

# The test clock's instant (tests/conftest.py): 10:00 in New York on a Monday.
TEST_NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def _status(service: dnc.Service, number: str) -> str:
    return next(e.status.value for e in service.queue("spring") if e.number == number)


def test_a_claim_never_reported_is_handed_out_again_after_30_minutes(
    service: dnc.Service,
) -> None:
    service.enqueue("spring", "2015550123", lead_id="L-1")
    first = service.next_calls("spring", 5, at=TEST_NOW, owner="dialer-1")
    assert [e.lead_id for e in first] == ["L-1"]
    assert _status(service, "+12015550123") == "claimed"
    soon = TEST_NOW + timedelta(minutes=29)
    assert service.next_calls("spring", 5, at=soon, owner="dialer-2") == []
    later = TEST_NOW + timedelta(minutes=31)
    again = service.next_calls("spring", 5, at=later, owner="dialer-2")
    assert [e.number for e in again] == ["+12015550123"]


def test_an_outcome_ends_the_claim_done_or_back_in_the_queue(service: dnc.Service) -> None:
    service.enqueue("spring", "2015550123")
    service.enqueue("spring", "2015550124")
    claimed = service.next_calls("spring", 5, at=TEST_NOW, owner="dialer-1")
    assert {e.number for e in claimed} == {"+12015550123", "+12015550124"}
    service.record_outcome("2015550123", "spring", "no_answer", at=TEST_NOW)
    service.record_outcome("2015550124", "spring", "answered", at=TEST_NOW)
    assert _status(service, "+12015550124") == "done"
    assert _status(service, "+12015550123") not in ("claimed", "done")
    # Back in the queue, deferred by the retry wait rather than handed out now.
    assert service.next_calls("spring", 5, at=TEST_NOW + timedelta(minutes=1)) == []


def test_an_opt_out_suppresses_a_claimed_entry_at_once(service: dnc.Service) -> None:
    service.enqueue("spring", "2015550123")
    service.next_calls("spring", 5, at=TEST_NOW, owner="dialer-1")
    service.opt_out("2015550123", at=TEST_NOW)
    assert _status(service, "+12015550123") == "suppressed"
    later = TEST_NOW + timedelta(minutes=31)
    assert service.next_calls("spring", 5, at=later, owner="dialer-2") == []
