"""Reports count opt-outs by how they arrived and show receipt to effect, on
SQLite and PostgreSQL.

47 CFR 64.1200(a)(10), since 2025-04-11: consent may be revoked by any
reasonable means, a reply of "stop" always counts, and the revocation must
be honoured within ten business days of receipt. Ours takes effect when it
is recorded; an SMS gateway's export imported weeks late shows the weeks.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dnc

# Monday 23 November 2026, 15:00 UTC: the test clock.
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def _arrivals(service: dnc.Service, tmp_path: Path) -> None:
    service.record_reply("2015550101", "STOP", channel="sms")  # keyword, at once
    service.record_reply(
        "2015550102", "please don't call me again", channel="sms", at=NOW - timedelta(hours=2)
    )  # phrase, two hours after it arrived
    service.opt_out("2015550103", channel="web", at=NOW - timedelta(hours=1))  # explicit
    service.record_outcome(
        "2015550104", "spring", "opt_out", at=NOW - timedelta(days=1)
    )  # explicit: a dialer's outcome, recorded a day late
    service.record_reply("2015550105", "not interested", campaign="spring")  # no opt-out
    service.record_reply("2015550106", "what does STOP do?")  # a question, no opt-out
    gateway = tmp_path / "gateway.csv"
    # Received on Monday 2 November, imported three weeks later.
    gateway.write_text(
        "number,text,received_at,channel\n2015550107,Stop,2026-11-02T08:00:00Z,sms\n"
    )
    service.import_replies(gateway)


def test_opt_outs_are_counted_by_arrival_and_the_slowest_is_late(
    service: dnc.Service, tmp_path: Path
) -> None:
    _arrivals(service, tmp_path)

    report = service.report(date(2026, 11, 1), date(2026, 11, 23), at=NOW)

    assert dict(report.opt_outs_by_arrival) == {"keyword": 2, "phrase": 1, "explicit": 2}
    assert sum(report.opt_outs_by_arrival.values()) == report.opt_outs
    delays = report.receipt_to_effect
    # 0 s, 1 h, 2 h, 1 d, and 21 d 7 h for the late import: the middle one is 2 h.
    assert delays.count == 5
    assert (delays.min_seconds, delays.median_seconds) == (0.0, 7200.0)
    assert delays.max_seconds == (NOW - datetime(2026, 11, 2, 8, tzinfo=UTC)).total_seconds()
    # Fourteen business days (Veterans Day off): past the ten the rule allows.
    assert delays.late == 1


def test_the_period_selects_the_opt_outs_and_an_even_count_takes_the_middle_two(
    service: dnc.Service, tmp_path: Path
) -> None:
    _arrivals(service, tmp_path)

    report = service.report(date(2026, 11, 22), date(2026, 11, 23), at=NOW)

    assert dict(report.opt_outs_by_arrival) == {"keyword": 1, "phrase": 1, "explicit": 2}
    delays = report.receipt_to_effect
    assert (delays.count, delays.late) == (4, 0)
    assert (delays.min_seconds, delays.median_seconds, delays.max_seconds) == (
        0.0,
        5400.0,
        86400.0,
    )


def test_the_json_report_names_every_arrival_and_the_legal_limit(service: dnc.Service) -> None:
    empty = service.report(date(2026, 11, 23), date(2026, 11, 23), at=NOW).to_dict()
    assert empty["opt_outs"]["by_arrival"] == {"keyword": 0, "phrase": 0, "explicit": 0}
    assert empty["opt_outs"]["receipt_to_effect"] == {
        "count": 0,
        "min_seconds": None,
        "median_seconds": None,
        "max_seconds": None,
        "limit": "10 business days",
        "late": 0,
    }

    service.record_reply("2015550101", "СТОП", channel="sms")
    data = service.report(date(2026, 11, 23), date(2026, 11, 23), at=NOW).to_dict()
    assert data["opt_outs"]["by_arrival"] == {"keyword": 1, "phrase": 0, "explicit": 0}
    assert data["opt_outs"]["receipt_to_effect"]["median_seconds"] == 0.0
