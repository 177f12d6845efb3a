"""What people say becomes what they asked for, on SQLite and PostgreSQL.

47 CFR 64.1200(a)(10): consent may be revoked by any reasonable means, a
reply of "stop" always counts, and the revocation must be honoured within
10 business days (ours: when recorded). A "call me later" read as an opt-out
loses a customer who asked to be called.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

import dnc
from dnc import ReasonCode

NUMBER = "+12015550123"
# Monday 23 November 2026, 10:00 in New York (the test clock).
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def test_a_stop_reply_opts_the_number_out_everywhere_with_the_text_as_evidence(
    service: dnc.Service,
) -> None:
    received = NOW - timedelta(hours=2)
    done = service.record_reply(NUMBER, "STOP", channel="sms", at=received)

    assert done.effect == "opt_out" and done.reading.per_se
    assert done.entry is not None and done.entry.channel is not None
    assert done.entry.channel.value == "sms"
    # Back-dated to when the person wrote, recorded now: the delay is ours to show.
    assert done.entry.created_at == received and done.reply.recorded_at == NOW
    assert done.entry.note is not None and "'STOP'" in done.entry.note
    assert service.check(NUMBER, campaign="spring", at=NOW).codes == (ReasonCode.DNC_INTERNAL,)
    [reply] = service.replies(NUMBER)
    assert (reply.text, reply.intent, reply.effect) == ("STOP", "opt_out", "opt_out")
    assert reply.list_entry_id == done.entry.id
    assert [r.action for r in service.history(NUMBER)] == ["opt_out", "reply"]


def test_a_stop_request_wins_over_a_callback_in_the_same_reply(service: dnc.Service) -> None:
    done = service.record_reply(
        NUMBER, "call me tomorrow? no actually, stop calling me", campaign="spring"
    )
    assert done.reading.intent is dnc.Intent.OPT_OUT and done.effect == "opt_out"


def test_three_refusing_replies_are_the_three_nos(service: dnc.Service) -> None:
    for text in ("no thanks", "not interested", "I said no, not interested"):
        done = service.record_reply(NUMBER, text, campaign="spring")
        assert done.effect == "refused", text
    verdict = service.check(NUMBER, campaign="spring", at=NOW)
    assert ReasonCode.THREE_NOS in verdict.codes


def test_a_refusal_without_a_campaign_is_kept_but_counts_nowhere(service: dnc.Service) -> None:
    done = service.record_reply(NUMBER, "not interested")
    assert done.reading.intent is dnc.Intent.REFUSAL and done.effect == "no_campaign"
    assert service.outcomes(NUMBER) == []
    assert service.check(NUMBER, campaign="spring", at=NOW).allowed


def test_a_callback_request_is_a_callback_at_the_time_asked(service: dnc.Service) -> None:
    done = service.record_reply(NUMBER, "please call me tomorrow after 11", campaign="spring")
    assert done.effect == "callback" and done.outcome is not None
    # Tomorrow 11:00 in New York, the number's zone.
    asked = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    assert done.outcome.record.callback_at == asked
    verdict = service.check(NUMBER, campaign="spring", at=NOW)
    assert verdict.codes == (ReasonCode.CALLBACK_SCHEDULED,)
    assert verdict.next_allowed_at == asked
    assert service.check(NUMBER, campaign="spring", at=asked).allowed


def test_a_standing_wish_becomes_the_persons_hours_and_keeps_the_rest(
    service: dnc.Service,
) -> None:
    service.set_preference(NUMBER, days="mon-fri")
    done = service.record_reply(NUMBER, "don't call me before 10am please")
    assert done.effect == "preference"
    pref = service.preference(NUMBER)
    assert pref is not None and pref.not_before == time(10, 0)
    assert pref.days == frozenset(range(5))  # what the reply did not name stays


def test_a_reply_that_asks_for_nothing_is_kept_with_no_effect(service: dnc.Service) -> None:
    done = service.record_reply(NUMBER, "who is this?")
    assert done.effect == "none"
    assert service.check(NUMBER, campaign="spring", at=NOW).allowed
    assert [r.effect for r in service.replies(NUMBER)] == ["none"]


def test_a_reply_from_the_future_is_refused_and_nothing_recorded(service: dnc.Service) -> None:
    with pytest.raises(dnc.TimeRangeError):
        service.record_reply(NUMBER, "STOP", at=NOW + timedelta(hours=1))
    with pytest.raises(dnc.InputError, match="channel"):
        service.record_reply(NUMBER, "STOP", channel="pigeon")
    assert service.replies(NUMBER) == [] and service.list_entries(number=NUMBER) == []


def test_a_reply_file_is_recorded_all_or_nothing(service: dnc.Service, tmp_path: Path) -> None:
    good = tmp_path / "gateway.csv"
    good.write_text(
        "number,text,received_at,channel,campaign\n"
        "2015550101,STOP,2026-11-23T08:00:00Z,sms,spring\n"
        "2015550102,no thanks,2026-11-23T08:01:00Z,sms,spring\n"
        "2015550103,Rufen Sie mich bitte nicht mehr an,2026-11-23T08:02:00Z,email,\n"
        "2015550104,ok see you,2026-11-23T08:03:00Z,chat,spring\n"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text() + "2015550105,STOP,yesterday,sms,spring\n")

    with pytest.raises(dnc.BadLineError, match="line 6"):
        service.import_replies(bad)
    assert service.replies("2015550101") == []

    summary = service.import_replies(good)
    assert summary.read == 4
    assert summary.effects == {"opt_out": 2, "refused": 1, "none": 1}
    for number in ("2015550101", "2015550103"):
        assert service.check(number, at=NOW).codes == (ReasonCode.DNC_INTERNAL,), number


def test_wishes_in_one_file_build_on_each_other_and_each_is_audited(
    service: dnc.Service, tmp_path: Path
) -> None:
    service.set_preference(NUMBER, days="mon-fri")
    gateway = tmp_path / "gateway.csv"
    gateway.write_text(
        "number,text,received_at,channel\n"
        f"{NUMBER},don't call me before 10am please,2026-11-23T08:00:00Z,sms\n"
        f"{NUMBER},and not after 6pm,2026-11-23T08:05:00Z,sms\n"
        f"{NUMBER},don't call me before 10am please,2026-11-23T08:06:00Z,sms\n"
    )
    summary = service.import_replies(gateway)

    assert summary.effects == {"preference": 3}
    pref = service.preference(NUMBER)
    assert pref is not None
    assert (pref.not_before, pref.not_after) == (time(10, 0), time(18, 0))
    assert pref.days == frozenset(range(5))
    changes = [r for r in service.history(NUMBER) if r.action == "preference_set"]
    # The first from set_preference, then one per reply, each from what the one before left.
    assert [(c.before or {}).get("not_before") for c in changes] == [None, None, "10:00", "10:00"]
    assert [(c.after or {}).get("not_after") for c in changes] == [None, None, "18:00", "18:00"]
    assert service.verify_audit().first_bad is None
