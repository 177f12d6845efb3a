"""Library calls with hostile arguments raise only DncError subclasses, and
an opt-out is never lost to its decoration (docs/inputs.md)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dnc
from dnc import ReasonCode

NUMBER = "+12015550123"
EDGES = [timezone(timedelta(hours=14)), timezone(timedelta(hours=-14)), UTC]

hostile_text = st.one_of(
    st.text(st.characters(blacklist_categories=()), max_size=30),  # lone surrogates too
    st.sampled_from(
        [
            "caf\udce9",
            "a\x00b",
            "x" * 100_000,
            "'; DROP TABLE list_entry; --",
            "\u0661\u0662\u0660\u0661\u0665\u0665\u0665\u0660\u0661\u0662\u0663",
            "",
            " ",
        ]
    ),
)
hostile_int = st.one_of(
    st.integers(),
    st.sampled_from([2**63, 2**64, -(2**63) - 1, -5, 0, 10**30]),
)
hostile_instant = st.one_of(
    st.datetimes(timezones=st.sampled_from(EDGES)),
    st.sampled_from(
        [
            datetime(1, 1, 1, tzinfo=EDGES[0]),
            datetime(9999, 12, 31, 23, 59, 59, tzinfo=EDGES[1]),
            datetime(9999, 12, 31, tzinfo=UTC),
        ]
    ),
)
hostile_day = st.one_of(st.dates(), st.sampled_from([date(1, 1, 1), date(9999, 12, 31)]))

CALLS: dict[str, Callable[[dnc.Service, Any], Any]] = {
    # name: (service, hostile value) -> the call; one argument hostile at a time.
    "check.campaign": lambda s, v: s.check(NUMBER, campaign=v),
    "check.location": lambda s, v: s.check(NUMBER, location=v),
    "opt_out.scope_campaign": lambda s, v: s.opt_out(NUMBER, campaign=v, scope="campaign"),
    "opt_out.channel": lambda s, v: s.opt_out(NUMBER, channel=v),
    "opt_out.number": lambda s, v: s.opt_out(v),
    "add_to_list.list_name": lambda s, v: s.add_to_list(NUMBER, list_name=v),
    "remove_from_list.reason": lambda s, v: s.remove_from_list(NUMBER, reason=v),
    "block_prefix.prefix": lambda s, v: s.block_prefix(v),
    "record_outcome.campaign": lambda s, v: s.record_outcome(NUMBER, v, "no_answer"),
    "record_outcome.outcome": lambda s, v: s.record_outcome(NUMBER, "spring", v),
    "add_consent.brand": lambda s, v: s.add_consent(NUMBER, "express_written", brand=v),
    "enqueue.campaign": lambda s, v: s.enqueue(v, NUMBER),
    "enqueue.lead_id": lambda s, v: s.enqueue("spring", NUMBER, lead_id=v),
    "enqueue.location": lambda s, v: s.enqueue("spring", NUMBER, location=v),
    "queue.status": lambda s, v: s.queue("spring", status=v),
    "next_calls.campaign": lambda s, v: s.next_calls(v, limit=1),
    "job_runs.job": lambda s, v: s.job_runs(v),
    "set_preference.days": lambda s, v: s.set_preference(NUMBER, days=v),
    "record_reply.campaign": lambda s, v: s.record_reply(NUMBER, "hello", campaign=v),
    "import_list.path": lambda s, v: s.import_list(v),
    "run_job.job": lambda s, v: s.run_job(v),
}
INT_CALLS: dict[str, Callable[[dnc.Service, Any], Any]] = {
    "next_calls.limit": lambda s, v: s.next_calls("spring", limit=v),
    "queue.limit": lambda s, v: s.queue("spring", limit=v),
    "list_entries.limit": lambda s, v: s.list_entries(limit=v),
    "job_runs.limit": lambda s, v: s.job_runs(limit=v),
    "enqueue.priority": lambda s, v: s.enqueue("spring", NUMBER, priority=v),
    "record_outcome.refusals": lambda s, v: s.record_outcome(
        NUMBER, "spring", "refused", refusals=v
    ),
}
TIME_CALLS: dict[str, Callable[[dnc.Service, Any], Any]] = {
    "check.at": lambda s, v: s.check(NUMBER, at=v),
    "scrub.at": lambda s, v: s.scrub(at=v, dry_run=True),
    "purge.at": lambda s, v: s.purge(at=v, dry_run=True),
    "opt_out.at": lambda s, v: s.opt_out(NUMBER, at=v),
    "add_to_list.expires_at": lambda s, v: s.add_to_list(NUMBER, expires_at=v),
    "record_outcome.callback_at": lambda s, v: s.record_outcome(
        NUMBER, "spring", "callback", callback_at=v
    ),
    "audit_records.until": lambda s, v: s.audit_records(until=v),
    "history.at": lambda s, v: s.history(NUMBER, at=v),
    "export_queue.at": lambda s, v: s.queue_at("spring", at=v),
}
DAY_CALLS: dict[str, Callable[[dnc.Service, Any], Any]] = {
    "report.since": lambda s, v: s.report(since=v),
    "report.until": lambda s, v: s.report(until=v),
}

MANY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def only_dnc_errors(call: Callable[[], Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dnc.InputWarning)
        try:
            call()
        except dnc.DncError:
            pass


@MANY
@given(name=st.sampled_from(sorted(CALLS)), value=hostile_text)
def test_hostile_text_raises_only_library_errors(
    service: dnc.Service, name: str, value: str
) -> None:
    only_dnc_errors(lambda: CALLS[name](service, value))


@MANY
@given(name=st.sampled_from(sorted(INT_CALLS)), value=hostile_int)
def test_hostile_integers_raise_only_library_errors(
    service: dnc.Service, name: str, value: int
) -> None:
    only_dnc_errors(lambda: INT_CALLS[name](service, value))


@MANY
@given(name=st.sampled_from(sorted(TIME_CALLS)), value=hostile_instant)
def test_times_at_the_edges_of_the_calendar_raise_only_library_errors(
    service: dnc.Service, name: str, value: datetime
) -> None:
    only_dnc_errors(lambda: TIME_CALLS[name](service, value))


@MANY
@given(name=st.sampled_from(sorted(DAY_CALLS)), value=hostile_day)
def test_days_at_the_edges_of_the_calendar_raise_only_library_errors(
    service: dnc.Service, name: str, value: date
) -> None:
    only_dnc_errors(lambda: DAY_CALLS[name](service, value))


@SETTINGS
@given(note=hostile_text, agent=hostile_text, campaign=hostile_text)
def test_an_opt_out_is_recorded_whatever_its_decoration(
    service: dnc.Service, note: str, agent: str, campaign: str
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dnc.InputWarning)
        entry = service.opt_out(NUMBER, note=note, campaign=campaign, actor=agent)
        outcome = service.record_outcome(
            "+12015550124", campaign or "c", "opt_out", note=note, agent=agent
        )
    assert entry.campaign is None  # company-wide: an unusable campaign is dropped
    assert service.check(NUMBER).codes[0] is ReasonCode.DNC_INTERNAL
    assert outcome.record.outcome is dnc.Outcome.OPT_OUT
    assert service.check("+12015550124").codes[0] is ReasonCode.DNC_INTERNAL


def test_the_decoration_cleaned_is_said_on_the_result_and_as_a_warning(
    service: dnc.Service,
) -> None:
    with pytest.warns(dnc.InputWarning, match="note cleaned"):
        entry = service.opt_out(NUMBER, note="caf\udce9 \x00ok")
    assert entry.note == "caf\ufffd ok"
    assert entry.warnings and "note cleaned" in entry.warnings[0]
    with pytest.warns(dnc.InputWarning, match="cut from 100000 to 4000"):
        entry = service.opt_out("+12015550124", note="n" * 100_000)
    assert entry.note == "n" * 4000
    with pytest.warns(dnc.InputWarning, match="campaign .*ignored"):
        entry = service.opt_out("+12015550125", campaign="c" * 101)
    assert entry.campaign is None


def test_a_stop_reply_is_an_opt_out_whatever_its_campaign(service: dnc.Service) -> None:
    for i, bad in enumerate(("c" * 101, "spring\x00", "caf\udce9")):
        number = f"+1201555013{i}"
        with pytest.warns(dnc.InputWarning, match="campaign"):
            done = service.record_reply(number, "STOP", channel="sms", campaign=bad)
        assert done.effect == "opt_out"
        assert service.check(number).codes[0] is ReasonCode.DNC_INTERNAL


def test_a_campaign_that_decides_scope_is_refused_before_anything_is_written(
    service: dnc.Service,
) -> None:
    for bad in ("c" * 101, "spring\x00", "caf\udce9"):
        with pytest.raises(dnc.InputError, match="campaign"):
            service.opt_out(NUMBER, campaign=bad, scope="campaign")
    assert service.list_entries() == []
    assert service.history(NUMBER) == []


def test_limits_and_instants_are_refused_with_their_names(service: dnc.Service) -> None:
    with pytest.raises(dnc.InputError, match="limit must be between 1 and 1000000"):
        service.next_calls("spring", limit=2**63)
    with pytest.raises(dnc.InputError, match="limit"):
        service.job_runs(limit=-5)
    with pytest.raises(dnc.InputError, match="at 0001-01-01.* is outside the supported range"):
        service.scrub(at=datetime(1, 1, 1, tzinfo=EDGES[0]))
    with pytest.raises(dnc.InputError, match="lead_id is 100000 characters long"):
        service.enqueue("spring", NUMBER, lead_id="l" * 100_000)
    assert service.queue("spring") == []
