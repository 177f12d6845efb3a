"""The report as one self-contained HTML file: inline CSS, inline SVG charts.

No scripts, fonts or stylesheets are fetched: the file is evidence that
must open the same way on an air-gapped laptop years from now.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

from dnc.reports import abandonment
from dnc.reports.model import LEGAL_LIMIT, RegistryAge, Report, Split
from dnc.reports.render_text import duration

PALETTE = (
    "#2563eb",  # opt-outs
    "#d97706",  # three no's
    "#dc2626",
    "#7c3aed",
    "#059669",
    "#db2777",
    "#0891b2",
    "#65a30d",
    "#9333ea",
    "#ea580c",
    "#475569",
)

CSS = """
*{box-sizing:border-box}
body{margin:0;background:#f4f6f9;color:#1f2937;
 font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:28px 24px 48px}
header h1{margin:0 0 4px;font-size:26px}
header p{margin:0;color:#6b7280}
.tiles{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;margin:22px 0}
.tile{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 2px #0000001a;
 border-top:4px solid var(--c)}
.tile b{display:block;font-size:28px;line-height:1.1}
.tile span{color:#6b7280;font-size:13px}
section{background:#fff;border-radius:10px;padding:18px 20px;margin:0 0 16px;
 box-shadow:0 1px 2px #0000001a}
section h2{margin:0 0 10px;font-size:18px}
.note{color:#6b7280;font-size:13px;margin:6px 0 0}
.row{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.row section{margin:0 0 16px}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin:8px 0 0;padding:0;list-style:none}
.legend li{font-size:13px;display:flex;align-items:center;gap:6px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:2px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{color:#6b7280;font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.03em}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#047857}.warn{color:#b45309}.bad{color:#b91c1c;font-weight:600}
svg text{font-family:inherit}
"""


def render(report: Report) -> str:
    since, until = report.since.isoformat(), report.until.isoformat()
    span = since if since == until else f"{since} to {until}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Do-not-call compliance report {escape(span)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        "<header><h1>Do-not-call compliance report"
        + (f" for client {escape(report.client)}" if report.client else "")
        + "</h1>",
        f"<p>{escape(span)} (UTC days) · generated "
        f"{escape(report.generated_at.isoformat(timespec='seconds'))}</p></header>",
        _tiles(report),
        _suppressions(report),
        '<div class="row">',
        _channels(report),
        _three_nos(report),
        "</div>",
        _arrivals(report),
        _scrub(report),
        _registries(report.registries),
        abandonment.html_section(report.abandonment),
        _failures(report),
        "</main></body></html>",
    ]
    return "\n".join(parts)


# -- sections -----------------------------------------------------------------------


def _tiles(report: Report) -> str:
    stale = len(report.stale_registries)
    tiles = [
        ("opt-outs received", report.opt_outs, PALETTE[0]),
        ("three no's reached", report.three_nos, PALETTE[1]),
        ("removed from queues by the scrub", report.scrub.suppressed, PALETTE[2]),
        ("deferred by the scrub", report.scrub.deferred, "#0891b2"),
        (
            "held by the scrub (CHECK_FAILED)",
            report.scrub.held,
            "#b91c1c" if report.scrub.held else "#059669",
        ),
        ("taken off a list", sum(report.removals.values()), "#6b7280"),
        ("registry lists replaced", sum(report.replacements.values()), "#6b7280"),
        ("required registries not fresh", stale, "#b91c1c" if stale else "#059669"),
        ("job failures", len(report.failures), "#b91c1c" if report.failures else "#059669"),
    ]
    cells = "".join(
        f'<div class="tile" style="--c:{color}"><b>{value:,}</b><span>{escape(label)}</span></div>'
        for label, value, color in tiles
    )
    return f'<div class="tiles">{cells}</div>'


def _suppressions(report: Report) -> str:
    series = report.series()
    days = [d.day for d in report.daily]
    colors = {name: PALETTE[i % len(PALETTE)] for i, (name, _) in enumerate(series)}
    legend = "".join(
        f'<li><i style="background:{colors[name]}"></i>{escape(name)} ({sum(values):,})</li>'
        for name, values in series
    )
    return (
        "<section><h2>Suppressions per day, by reason</h2>"
        + stacked_bars(days, series, colors)
        + f'<ul class="legend">{legend}</ul>'
        + '<p class="note">Opt-outs and three no\'s are new suppressions of a number; '
        "scrub bars are queue entries the scrub took out of the dialable queue, by reason.</p>"
        "</section>"
    )


def _channels(report: Report) -> str:
    items = list(report.opt_outs_by_channel.items())
    body = hbars(items, PALETTE[0]) if items else '<p class="note">No opt-outs in this period.</p>'
    return f"<section><h2>Opt-outs by channel</h2>{body}</section>"


def _three_nos(report: Report) -> str:
    items = list(report.three_nos_by_campaign.items())
    body = (
        hbars(items, PALETTE[1])
        if items
        else '<p class="note">No number reached the three no\'s in this period.</p>'
    )
    return f"<section><h2>Three no's by campaign</h2>{body}</section>"


def _arrivals(report: Report) -> str:
    items = [(k, v) for k, v in report.opt_outs_by_arrival.items() if v]
    bars = hbars(items, PALETTE[0]) if items else '<p class="note">No opt-outs in this period.</p>'
    d = report.receipt_to_effect
    late = f'<td class="n {"bad" if d.late else "ok"}">{d.late:,}</td>'
    rows = "".join(
        f"<tr><td>{label}</td><td class=n>{escape(value)}</td></tr>"
        for label, value in (
            ("opt-outs", f"{d.count:,}"),
            ("fastest", duration(d.min_seconds)),
            ("median", duration(d.median_seconds)),
            ("slowest", duration(d.max_seconds)),
            ("legal limit", LEGAL_LIMIT),
        )
    )
    table = (
        f"<table><tr><th>receipt to effect</th><th class=n>time</th></tr>{rows}"
        f"<tr><td>later than the limit</td>{late}</tr></table>"
    )
    return (
        "<section><h2>Opt-outs by arrival, and receipt to effect</h2>"
        f'<div class="row"><div>{bars}</div><div>{table}</div></div>'
        '<p class="note">keyword: a reply that is a per-se opt-out keyword (STOP, QUIT, '
        "OPTOUT…); phrase: a reply read as a request to stop in other words; explicit: an "
        "opt-out given through the API, the CLI, an import or a dialer's outcome. Receipt is "
        "when the reply arrived (or the time the opt-out was given for), effect when its list "
        "entry was recorded: from then on no check allows the number. Since 2025-04-11 "
        "47 CFR 64.1200(a)(10) allows at most ten business days.</p></section>"
    )


def _scrub(report: Report) -> str:
    s = report.scrub
    head = (
        f'<p class="note">{s.runs:,} successful scrub run(s): {s.entries:,} entries checked, '
        f"{s.suppressed:,} removed, {s.held:,} held, {s.deferred:,} deferred, "
        f"{s.dialable:,} dialable (each entry once), "
        f"{s.seconds:,.1f} s in all.</p>"
    )
    if s.unreadable_runs:
        head += f'<p class="note bad">{s.unreadable_runs} run(s) recorded no readable counts.</p>'
    tables = (
        '<div class="row"><div>'
        + _split_table("reason", s.by_reason)
        + "</div><div>"
        + _split_table("campaign", s.by_campaign)
        + "</div></div>"
    )
    return f"<section><h2>Scrub removals and deferrals</h2>{head}{tables}</section>"


def _split_table(what: str, splits: Mapping[str, Split]) -> str:
    items = list(splits.items())
    if not items:
        return f'<p class="note">No scrub results by {what}.</p>'
    rows = "".join(
        f"<tr><td>{escape(k)}</td><td class=n>{v.suppressed:,}</td>"
        f"<td class=n>{v.deferred:,}</td></tr>"
        for k, v in items
    )
    return (
        f"<table><tr><th>{what}</th><th class=n>removed</th><th class=n>deferred</th></tr>"
        f"{rows}</table>"
    )


def _registries(registries: Sequence[RegistryAge]) -> str:
    if not registries:
        return (
            "<section><h2>Registry ages</h2><p class=note>No registries configured.</p></section>"
        )
    return (
        "<section><h2>Registry ages</h2>"
        + registry_bars(registries)
        + '<p class="note">Bar: age of the current snapshot against the oldest a check '
        "accepts; a required registry past it refuses every call it covers "
        "(REGISTRY_STALE).</p></section>"
    )


def _failures(report: Report) -> str:
    if not report.failures:
        return (
            "<section><h2>Job failures</h2><p class=ok>No job failed in this period.</p></section>"
        )
    rows = "".join(
        f"<tr><td>{escape(f.job)}</td>"
        f"<td>{escape(f.started_at.isoformat(timespec='seconds'))}</td>"
        f"<td class=bad>{escape(_first_line(f.error))}</td></tr>"
        for f in report.failures
    )
    return (
        f"<section><h2>Job failures ({len(report.failures)})</h2>"
        f"<table><tr><th>job</th><th>started</th><th>error</th></tr>{rows}</table></section>"
    )


# -- charts -------------------------------------------------------------------------


def nice_max(value: int) -> int:
    """A round axis top at or above ``value`` (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    base: int = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * base >= value:
            return step * base
    return 10 * base


def stacked_bars(
    days: Sequence[date], series: Sequence[tuple[str, Sequence[int]]], colors: dict[str, str]
) -> str:
    width, height = 1120, 300
    left, right, top, bottom = 52, 12, 14, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for _, values in series) for i in range(len(days))]
    top_value = nice_max(max(totals, default=0))
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        'aria-label="suppressions per day, stacked by reason" xmlns="http://www.w3.org/2000/svg">'
    ]
    ticks = 5 if top_value >= 5 else top_value
    for i in range(ticks + 1):
        value = top_value * i / ticks
        y = top + plot_h - plot_h * i / ticks
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{"#9ca3af" if i == 0 else "#e5e7eb"}"/>'
            f'<text x="{left - 8}" y="{y + 4:.1f}" font-size="12" text-anchor="end" '
            f'fill="#6b7280">{value:,.0f}</text>'
        )
    parts.append(
        f'<text x="14" y="{top + plot_h / 2:.0f}" font-size="12" fill="#6b7280" '
        f'transform="rotate(-90 14 {top + plot_h / 2:.0f})" text-anchor="middle">per day</text>'
    )
    slot = plot_w / max(len(days), 1)
    bar = max(min(slot * 0.72, 48), 1)
    label_every = max(1, math.ceil(len(days) / 14))
    for i, day in enumerate(days):
        x = left + slot * i + (slot - bar) / 2
        y = top + plot_h
        for name, values in series:
            value = values[i]
            if not value:
                continue
            h = plot_h * value / top_value
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colors[name]}"><title>{day.isoformat()} · {escape(name)}: '
                f"{value:,}</title></rect>"
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{left + slot * i + slot / 2:.1f}" y="{top + plot_h + 18}" '
                f'font-size="12" text-anchor="middle" fill="#374151">{day.strftime("%b %d")}</text>'
            )
    if not any(totals):
        parts.append(
            f'<text x="{left + plot_w / 2:.0f}" y="{top + plot_h / 2:.0f}" font-size="16" '
            'text-anchor="middle" fill="#6b7280">No suppressions in this period</text>'
        )
    parts.append(
        f'<text x="{left + plot_w / 2:.0f}" y="{height - 4}" font-size="12" '
        'text-anchor="middle" fill="#6b7280">day (UTC)</text></svg>'
    )
    return "".join(parts)


def hbars(items: Sequence[tuple[str, int]], color: str) -> str:
    row, label_w, width = 30, 130, 540
    height = row * len(items) + 8
    top_value = max((v for _, v in items), default=0) or 1
    bar_space = width - label_w - 70
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value) in enumerate(items):
        y = 4 + row * i
        w = max(bar_space * value / top_value, 2)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 18}" font-size="13" text-anchor="end" '
            f'fill="#374151">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 10}" rx="3" '
            f'fill="{color}"><title>{escape(label)}: {value:,}</title></rect>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 18}" font-size="13" '
            f'fill="#111827">{value:,}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def registry_bars(registries: Sequence[RegistryAge]) -> str:
    row, label_w, width = 40, 150, 1120
    bar_space = 560
    height = row * len(registries) + 8
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        'aria-label="registry ages" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, r in enumerate(registries):
        y = 4 + row * i
        limit = max(r.max_age_days, 1)
        color, text = _registry_state(r)
        parts.append(
            f'<text x="{label_w - 10}" y="{y + 21}" font-size="13" text-anchor="end" '
            f'fill="#111827">{escape(r.registry)}</text>'
            f'<rect x="{label_w}" y="{y + 8}" width="{bar_space}" height="18" rx="4" '
            'fill="#eef0f3"/>'
        )
        if r.age_days is not None:
            w = bar_space * min(max(r.age_days, 0), limit) / limit
            parts.append(
                f'<rect x="{label_w}" y="{y + 8}" width="{max(w, 2):.1f}" height="18" rx="4" '
                f'fill="{color}"><title>{escape(r.registry)}: {r.age_days} of '
                f"{r.max_age_days} days</title></rect>"
            )
        parts.append(
            f'<text x="{label_w + bar_space + 14}" y="{y + 21}" font-size="13" '
            f'fill="{color}">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _registry_state(r: RegistryAge) -> tuple[str, str]:
    need = "required" if r.required else "optional"
    if r.as_of is None or r.age_days is None:
        return "#b91c1c" if r.required else "#6b7280", f"no snapshot ({need})"
    left = r.days_left if r.days_left is not None else 0
    base = f"as of {r.as_of.isoformat()}, {r.age_days} d old"
    if left < 0:
        return "#b91c1c", f"{base}: stale for {-left} d ({need})"
    color = "#059669" if left > 7 else "#d97706"
    return color, f"{base}: {left} d left ({need})"


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""
