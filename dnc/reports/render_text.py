"""The report as plain text (a terminal, an e-mail) and as CSV (a spreadsheet)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from dnc.reports import abandonment
from dnc.reports.model import Report


def render_text(report: Report) -> str:
    since, until = report.since.isoformat(), report.until.isoformat()
    out = [
        f"Do-not-call compliance report, {since} to {until} (UTC days)",
        f"generated {report.generated_at.isoformat(timespec='seconds')}",
        "",
        _table(
            "Summary",
            ["what", "count"],
            [
                ["opt-outs received", f"{report.opt_outs:,}"],
                ["three no's reached", f"{report.three_nos:,}"],
                ["scrub runs", f"{report.scrub.runs:,}"],
                ["removed from queues by the scrub", f"{report.scrub.suppressed:,}"],
                ["deferred by the scrub", f"{report.scrub.deferred:,}"],
                ["required registries not fresh", f"{len(report.stale_registries)}"],
                ["job failures", f"{len(report.failures)}"],
            ],
        ),
        _table(
            "Opt-outs by channel",
            ["channel", "opt-outs"],
            [[k, f"{v:,}"] for k, v in report.opt_outs_by_channel.items()],
        ),
        _table(
            "Three no's by campaign",
            ["campaign", "suppressions"],
            [[k, f"{v:,}"] for k, v in report.three_nos_by_campaign.items()],
        ),
        _table(
            "Scrub by reason",
            ["reason", "removed", "deferred"],
            [
                [k, f"{v.suppressed:,}", f"{v.deferred:,}"]
                for k, v in report.scrub.by_reason.items()
            ],
        ),
        _table(
            "Scrub by campaign",
            ["campaign", "removed", "deferred"],
            [
                [k, f"{v.suppressed:,}", f"{v.deferred:,}"]
                for k, v in report.scrub.by_campaign.items()
            ],
        ),
        _table(
            "Registry ages",
            ["registry", "required", "state", "as of", "age (d)", "days left"],
            [
                [
                    r.registry,
                    "yes" if r.required else "no",
                    r.state,
                    r.as_of.isoformat() if r.as_of else "",
                    "" if r.age_days is None else str(r.age_days),
                    "" if r.days_left is None else str(r.days_left),
                ]
                for r in report.registries
            ],
        ),
        _table(
            "Abandoned calls (30-day period so far)",
            ["campaign", "abandoned", "rate", "peak", "limit", "state"],
            abandonment.text_rows(report.abandonment),
        ),
        _table(
            "Job failures",
            ["job", "started", "error"],
            [
                [f.job, f.started_at.isoformat(timespec="seconds"), _first_line(f.error)]
                for f in report.failures
            ],
        ),
        _table(
            "Per day",
            ["day", "opt-outs", "three no's", "scrub removed", "scrub deferred"],
            [
                [
                    d.day.isoformat(),
                    str(d.opt_outs),
                    str(d.three_nos),
                    str(sum(d.scrub_suppressed.values())),
                    str(d.scrub_deferred),
                ]
                for d in report.daily
                if d.opt_outs or d.three_nos or d.scrub_suppressed or d.scrub_deferred
            ],
        ),
    ]
    return "\n".join(out)


def render_csv(report: Report) -> str:
    """Long format, one figure per row, so a spreadsheet can pivot it any way."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["section", "day", "key", "metric", "value"])
    for d in report.daily:
        day = d.day.isoformat()
        writer.writerow(["daily", day, "", "opt_outs", d.opt_outs])
        writer.writerow(["daily", day, "", "three_nos", d.three_nos])
        for code, n in sorted(d.scrub_suppressed.items()):
            writer.writerow(["daily", day, code, "scrub_suppressed", n])
        writer.writerow(["daily", day, "", "scrub_deferred", d.scrub_deferred])
    for channel, n in report.opt_outs_by_channel.items():
        writer.writerow(["opt_outs_by_channel", "", channel, "opt_outs", n])
    for campaign, n in report.three_nos_by_campaign.items():
        writer.writerow(["three_nos_by_campaign", "", campaign, "three_nos", n])
    for section, splits in (
        ("scrub_by_reason", report.scrub.by_reason),
        ("scrub_by_campaign", report.scrub.by_campaign),
    ):
        for key, split in splits.items():
            writer.writerow([section, "", key, "suppressed", split.suppressed])
            writer.writerow([section, "", key, "deferred", split.deferred])
    for r in report.registries:
        writer.writerow(
            ["registry", r.as_of.isoformat() if r.as_of else "", r.registry, "state", r.state]
        )
        writer.writerow(
            ["registry", "", r.registry, "age_days", "" if r.age_days is None else r.age_days]
        )
        writer.writerow(
            ["registry", "", r.registry, "days_left", "" if r.days_left is None else r.days_left]
        )
    for f in report.failures:
        writer.writerow(
            ["job_failure", f.started_at.isoformat(), f.job, "error", _first_line(f.error)]
        )
    return buffer.getvalue()


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    if not rows:
        return f"{title}\n  (none)\n"
    widths = [max(len(str(c)) for c in column) for column in zip(header, *rows, strict=False)]

    def line(cells: Sequence[str]) -> str:
        return (
            "  " + "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()
        )

    return (
        "\n".join([title, line(header), line(["-" * w for w in widths]), *map(line, rows)]) + "\n"
    )


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""
