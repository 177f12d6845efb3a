"""The report as plain text (a terminal, an e-mail) and as CSV (a spreadsheet)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from dnc.reports import abandonment
from dnc.reports.model import LEGAL_LIMIT, Report


def render_text(report: Report) -> str:
    since, until = report.since.isoformat(), report.until.isoformat()
    out = [
        f"Do-not-call compliance report{_of(report)}, {since} to {until} (UTC days)",
        f"generated {report.generated_at.isoformat(timespec='seconds')}",
        "",
        _table(
            "Summary",
            ["what", "count"],
            [
                ["opt-outs received", f"{report.opt_outs:,}"],
                ["three no's reached", f"{report.three_nos:,}"],
                ["scrub runs", f"{report.scrub.runs:,}"],
                ["queue entries the scrub checked", f"{report.scrub.entries:,}"],
                ["removed from queues by the scrub", f"{report.scrub.suppressed:,}"],
                ["deferred by the scrub", f"{report.scrub.deferred:,}"],
                ["held by the scrub (CHECK_FAILED)", f"{report.scrub.held:,}"],
                ["taken off a list", f"{sum(report.removals.values()):,}"],
                ["registry lists replaced", f"{sum(report.replacements.values()):,}"],
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
            "Opt-outs by arrival",
            ["arrival", "opt-outs"],
            [[k, f"{v:,}"] for k, v in report.opt_outs_by_arrival.items()],
        ),
        _receipt_to_effect(report),
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
            "Taken off a list",
            ["list", "removals"],
            [[k, f"{v:,}"] for k, v in report.removals.items()],
        ),
        _table(
            "Registry lists replaced",
            ["registry", "full lists imported"],
            [[k, f"{v:,}"] for k, v in report.replacements.items()],
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


def _of(report: Report) -> str:
    return f" for client {report.client}" if report.client else ""


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
    for arrival, n in report.opt_outs_by_arrival.items():
        writer.writerow(["opt_outs_by_arrival", "", arrival, "opt_outs", n])
    delays = report.receipt_to_effect
    for metric, value in (
        ("count", delays.count),
        ("min_seconds", delays.min_seconds),
        ("median_seconds", delays.median_seconds),
        ("max_seconds", delays.max_seconds),
        ("late", delays.late),
        ("limit", LEGAL_LIMIT),
    ):
        writer.writerow(["receipt_to_effect", "", "", metric, "" if value is None else value])
    for campaign, n in report.three_nos_by_campaign.items():
        writer.writerow(["three_nos_by_campaign", "", campaign, "three_nos", n])
    for section, splits in (
        ("scrub_by_reason", report.scrub.by_reason),
        ("scrub_by_campaign", report.scrub.by_campaign),
    ):
        for key, split in splits.items():
            writer.writerow([section, "", key, "suppressed", split.suppressed])
            writer.writerow([section, "", key, "deferred", split.deferred])
    # The scrub's totals: runs, then distinct entries (each once: see docs/audit.md).
    s = report.scrub
    writer.writerow(["scrub", "", "", "runs", s.runs])
    for metric, n in (
        ("entries", s.entries),
        ("suppressed", s.suppressed),
        ("deferred", s.deferred),
        ("held", s.held),
        ("dialable", s.dialable),
    ):
        writer.writerow(["scrub", "", "", metric, n])
    for name, n in report.removals.items():
        writer.writerow(["removals", "", name, "removed", n])
    for name, n in report.replacements.items():
        writer.writerow(["registry_replacements", "", name, "replaced", n])
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


def _receipt_to_effect(report: Report) -> str:
    delays = report.receipt_to_effect
    rows = [
        ["opt-outs", f"{delays.count:,}"],
        ["fastest", duration(delays.min_seconds)],
        ["median", duration(delays.median_seconds)],
        ["slowest", duration(delays.max_seconds)],
        ["legal limit", f"{LEGAL_LIMIT} (47 CFR 64.1200(a)(10), since 2025-04-11)"],
        ["later than the limit", f"{delays.late:,}"],
    ]
    return _table("Opt-outs: receipt to effect", ["what", "time"], rows)


def duration(seconds: float | None) -> str:
    """A time span as a person reads it: "0 s", "2.5 s", "3 h 12 min", "4 d 2 h"."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.3g} s" if seconds else "0 s"
    minutes, hours, days = int(seconds // 60), int(seconds // 3600), int(seconds // 86400)
    if seconds < 3600:
        return f"{minutes} min"
    if seconds < 86400:
        return f"{hours} h {minutes % 60} min"
    return f"{days} d {hours % 24} h"


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
