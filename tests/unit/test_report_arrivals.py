"""Opt-outs by arrival and receipt to effect: the model, the legal limit, the renderings."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnc.reports import ReceiptToEffect, Report, build
from dnc.reports.model import business_days_between, is_late
from dnc.reports.render_html import render
from dnc.reports.render_text import duration, render_csv, render_text

NOV1 = date(2026, 11, 1)


def at(day: int, month: int = 11, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def sample(late: int = 0) -> Report:
    return build(
        since=NOV1,
        until=NOV1,
        generated_at=at(2),
        opt_outs=[(NOV1, "sms", 5), (NOV1, "web", 2)],
        three_nos=[],
        scrub_runs=[],
        registries=[],
        failures=[],
        arrivals=[("keyword", 3), ("phrase", 2), ("explicit", 2)],
        receipt_to_effect=ReceiptToEffect(7, 0.0, 0.0, 93784.0, late),
    )


def test_every_arrival_is_shown_in_order_with_the_missing_as_zero() -> None:
    report = build(
        since=NOV1,
        until=NOV1,
        generated_at=at(2),
        opt_outs=[],
        three_nos=[],
        scrub_runs=[],
        registries=[],
        failures=[],
        arrivals=[("explicit", 4)],
    )
    assert list(report.opt_outs_by_arrival.items()) == [
        ("keyword", 0),
        ("phrase", 0),
        ("explicit", 4),
    ]
    assert report.receipt_to_effect == ReceiptToEffect()


@pytest.mark.parametrize(
    ("received", "effective", "days"),
    [
        (at(23), at(23, hour=23), 0),  # the same day
        (at(20), at(23), 1),  # Friday to Monday: the weekend is not business days
        (at(10), at(12), 1),  # 11 November, Veterans Day, is off
        (at(2), at(16), 9),  # two weeks with Veterans Day in them
        (at(24), at(8, 12), 9),  # Thanksgiving (26 November) is off
    ],
)
def test_business_days_skip_weekends_and_us_federal_holidays(
    received: datetime, effective: datetime, days: int
) -> None:
    assert business_days_between(received, effective) == days


def test_more_than_ten_business_days_is_late() -> None:
    assert not is_late(at(2), at(17))  # ten business days: the last day allowed
    assert is_late(at(2), at(18))
    assert is_late(at(2), at(2, month=12) + timedelta(days=365))


@given(
    st.datetimes(min_value=datetime(2025, 4, 11), max_value=datetime(2030, 1, 1)),
    st.integers(min_value=0, max_value=40 * 86400),
)
def test_within_ten_calendar_days_is_never_late_and_late_grows_with_time(
    start: datetime, seconds: int
) -> None:
    received = start.replace(tzinfo=UTC)
    effective = received + timedelta(seconds=seconds)
    if seconds <= 10 * 86400:
        assert not is_late(received, effective)
    if is_late(received, effective):
        assert is_late(received, effective + timedelta(days=1))


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "-"), (0.0, "0 s"), (2.5, "2.5 s"), (600.0, "10 min"), (7260.0, "2 h 1 min"),
     (93784.0, "1 d 2 h")],
)  # fmt: skip
def test_durations_read_as_a_person_says_them(seconds: float | None, shown: str) -> None:
    assert duration(seconds) == shown


def test_json_text_csv_and_html_carry_arrivals_and_the_legal_limit() -> None:
    report = sample(late=1)
    data = report.to_dict()["opt_outs"]
    assert data["by_arrival"] == {"keyword": 3, "phrase": 2, "explicit": 2}
    assert data["receipt_to_effect"] == {
        "count": 7,
        "min_seconds": 0.0,
        "median_seconds": 0.0,
        "max_seconds": 93784.0,
        "limit": "10 business days",
        "late": 1,
    }
    text = render_text(report)
    assert "Opt-outs by arrival" in text and "keyword   3" in text
    assert "slowest               1 d 2 h" in text and "10 business days" in text
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    by = {(r["section"], r["key"], r["metric"]): r["value"] for r in rows}
    assert by[("opt_outs_by_arrival", "phrase", "opt_outs")] == "2"
    assert by[("receipt_to_effect", "", "max_seconds")] == "93784.0"
    assert by[("receipt_to_effect", "", "limit")] == "10 business days"
    html = render(report)
    assert "Opt-outs by arrival, and receipt to effect" in html
    assert "1 d 2 h" in html and "10 business days" in html
    assert '<td class="n bad">1</td>' in html
    assert '<td class="n ok">0</td>' in render(sample())
