"""The report model and its renderings: counts right, charts present, self-contained."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest

from dnc.errors import InputError
from dnc.reports import EntryTotals, JobFailure, RegistryAge, Report, build, period
from dnc.reports.render_html import nice_max, render
from dnc.reports.render_text import render_csv, render_text

NOV1, NOV3 = date(2026, 11, 1), date(2026, 11, 3)


def scrub(day: int, **by_reason: tuple[int, int]) -> tuple[datetime, str]:
    counts = {
        "entries": 100,
        "suppressed": sum(s for s, _ in by_reason.values()),
        "deferred": sum(d for _, d in by_reason.values()),
        "dialable": 50,
        "by_reason": {k: {"suppressed": s, "deferred": d} for k, (s, d) in by_reason.items()},
        "by_campaign": {"spring": {"suppressed": 1, "deferred": 2}},
        "seconds": 0.5,
    }
    return datetime(2026, 11, day, 2, tzinfo=UTC), json.dumps(counts)


def sample() -> Report:
    return build(
        since=NOV1,
        until=NOV3,
        generated_at=datetime(2026, 11, 4, 8, tzinfo=UTC),
        opt_outs=[(NOV1, "sms", 2), (NOV1, "call", 5), (NOV3, None, 1)],
        three_nos=[(date(2026, 11, 2), "spring", 1)],
        scrub_runs=[
            scrub(1, DNC_INTERNAL=(4, 0), OUTSIDE_HOURS=(0, 9)),
            scrub(2, DNC_REGISTRY=(7, 0)),
            (datetime(2026, 11, 3, 2, tzinfo=UTC), "{broken"),
        ],
        registries=[
            RegistryAge("us-national", "FTC", True, "fresh", 31, NOV1, 3, 28, 1000),
            RegistryAge("uk-tps", "TPS", True, "missing", 28),
        ],
        failures=[JobFailure("scrub", datetime(2026, 11, 3, 2, tzinfo=UTC), "database is locked")],
    )


def test_counts_add_up_by_channel_reason_and_campaign() -> None:
    report = sample()
    assert report.opt_outs == 8
    assert dict(report.opt_outs_by_channel) == {"call": 5, "sms": 2, "unknown": 1}
    assert dict(report.three_nos_by_campaign) == {"spring": 1}
    assert report.scrub.runs == 2 and report.scrub.unreadable_runs == 1
    assert report.scrub.suppressed == 11 and report.scrub.deferred == 9
    assert report.scrub.by_reason["OUTSIDE_HOURS"].deferred == 9
    assert [d.day for d in report.daily] == [NOV1, date(2026, 11, 2), NOV3]
    assert report.daily[1].scrub_suppressed == {"DNC_REGISTRY": 7}
    assert [r.registry for r in report.stale_registries] == ["uk-tps"]


def test_chart_series_leave_out_reasons_that_only_deferred() -> None:
    names = [name for name, _ in sample().series()]
    assert names == ["opt-outs", "three no's", "scrub: DNC_REGISTRY", "scrub: DNC_INTERNAL"]


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(InputError, match="after it ends"):
        period(NOV3, NOV1)
    with pytest.raises(InputError, match="at most"):
        period(date(2000, 1, 1), NOV1)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [v or "" for k, v in attrs if k in ("src", "href")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_report_is_self_contained_with_charts_and_numbers() -> None:
    page = _Page()
    page.feed(render(sample()))
    text = " ".join(page.text)
    assert page.tags.count("svg") >= 3  # suppressions over time, channels, registry ages
    assert page.tags.count("rect") > 5
    assert "script" not in page.tags and "link" not in page.tags and page.links == []
    for words in ("Suppressions per day", "Opt-outs by channel", "Registry ages", "Job failures"):
        assert words in text
    assert "scrub: DNC_REGISTRY (7)" in text and "opt-outs (8)" in text
    assert "database is locked" in text and "no snapshot (required)" in text
    assert "3 d old: 28 d left" in text


def test_html_report_escapes_what_it_did_not_write() -> None:
    report = build(
        since=NOV1,
        until=NOV1,
        generated_at=datetime(2026, 11, 2, tzinfo=UTC),
        opt_outs=[],
        three_nos=[(NOV1, "<script>", 1)],
        scrub_runs=[],
        registries=[],
        failures=[],
    )
    html = render(report)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "No suppressions in this period" not in html  # one three no's is a suppression


def test_text_and_csv_carry_the_same_figures() -> None:
    report = sample()
    text = render_text(report)
    assert "opt-outs received                 8" in text and "DNC_REGISTRY" in text
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    by = {(r["section"], r["day"], r["key"], r["metric"]): r["value"] for r in rows}
    assert by[("daily", "2026-11-01", "", "opt_outs")] == "7"
    assert by[("daily", "2026-11-02", "DNC_REGISTRY", "scrub_suppressed")] == "7"
    assert by[("opt_outs_by_channel", "", "call", "opt_outs")] == "5"
    assert json.loads(json.dumps(report.to_dict()))["scrub"]["by_campaign"]["spring"] == {
        "suppressed": 2,
        "deferred": 4,
    }


@pytest.mark.parametrize(
    ("value", "top"), [(0, 1), (1, 1), (7, 10), (12, 20), (45, 50), (100, 100)]
)
def test_axis_tops_are_round(value: int, top: int) -> None:
    assert nice_max(value) == top


def test_recorded_runs_count_their_entries_once_and_older_runs_as_they_counted() -> None:
    """A run that recorded its entries' dispositions is not added up: the
    distinct entries stand for it. A run from before that record still is."""
    recorded = json.loads(scrub(2, OUTSIDE_HOURS=(0, 9))[1]) | {"dispositions_recorded": True}
    entries = EntryTotals.of(
        by_campaign={"spring": {"suppressed": 1, "deferred": 3, "dialable": 6}},
        suppressed_by_code={"DNC_INTERNAL": 1},
        deferred_by_code={"OUTSIDE_HOURS": 3},
        daily_suppressed={date(2026, 11, 2): {"DNC_INTERNAL": 1}},
        daily_deferred={date(2026, 11, 2): 3},
    )
    report = build(
        since=NOV1,
        until=NOV3,
        generated_at=datetime(2026, 11, 4, 8, tzinfo=UTC),
        opt_outs=[],
        three_nos=[],
        scrub_runs=[
            scrub(1, OUTSIDE_HOURS=(0, 4)),
            (datetime(2026, 11, 2, 2, tzinfo=UTC), json.dumps(recorded)),
        ],
        registries=[],
        failures=[],
        scrub_entries=entries,
    )
    s = report.scrub
    assert (s.runs, s.entries, s.suppressed, s.deferred, s.dialable) == (2, 110, 1, 7, 56)
    assert s.by_reason["OUTSIDE_HOURS"].deferred == 7
    assert s.by_reason["DNC_INTERNAL"].suppressed == 1
    assert [d.scrub_deferred for d in report.daily] == [4, 3, 0]
    assert report.daily[1].scrub_suppressed == {"DNC_INTERNAL": 1}
    assert s.seconds == 1.0  # time is per run, recorded or not
