"""The report's abandoned-call section: per campaign, the rate of each day's
30-day period so far, charted against the campaign's limit (the TSR's 3 %)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any


@dataclass(frozen=True, slots=True)
class AbandonPoint:
    day: date
    answered: int
    abandoned: int

    @property
    def rate(self) -> float:
        return self.abandoned / self.answered if self.answered else 0.0


@dataclass(frozen=True, slots=True)
class AbandonSeries:
    """One campaign over the report's days: its period's totals up to each day."""

    campaign: str
    limit: float
    points: tuple[AbandonPoint, ...]

    @property
    def peak(self) -> float:
        return max((p.rate for p in self.points), default=0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "campaign": self.campaign,
            "limit": self.limit,
            "daily": [
                {
                    "day": p.day.isoformat(),
                    "answered": p.answered,
                    "abandoned": p.abandoned,
                    "rate": round(p.rate, 6),
                }
                for p in self.points
            ],
        }


COLORS = ("#2563eb", "#7c3aed", "#059669", "#db2777", "#0891b2", "#65a30d", "#ea580c")


def text_rows(series: Sequence[AbandonSeries]) -> list[list[str]]:
    rows = []
    for s in series:
        last = s.points[-1] if s.points else AbandonPoint(date.min, 0, 0)
        over = "over" if s.peak > s.limit else "ok"
        rows.append(
            [
                s.campaign,
                f"{last.abandoned:,} of {last.answered:,}",
                f"{last.rate:.2%}",
                f"{s.peak:.2%}",
                f"{s.limit:.1%}",
                over,
            ]
        )
    return rows


def html_section(series: Sequence[AbandonSeries]) -> str:
    """A line per campaign, the limit as a dashed red line; nothing without campaigns."""
    if not series:
        return ""
    width, height = 1120, 260
    left, right, top, bottom = 52, 12, 14, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    limit = max(s.limit for s in series)
    top_rate = max(limit * 2, max(s.peak for s in series)) or 0.06
    days = max(len(s.points) for s in series)
    slot = plot_w / max(days - 1, 1)

    def y(rate: float) -> float:
        return top + plot_h - plot_h * min(rate, top_rate) / top_rate

    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" '
        'aria-label="abandoned-call rate per campaign" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i in range(5):
        rate = top_rate * i / 4
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(rate):.1f}" y2="{y(rate):.1f}" '
            f'stroke="#e5e7eb"/><text x="{left - 8}" y="{y(rate) + 4:.1f}" font-size="12" '
            f'text-anchor="end" fill="#6b7280">{rate:.1%}</text>'
        )
    for line in sorted({s.limit for s in series}):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(line):.1f}" y2="{y(line):.1f}" '
            f'stroke="#b91c1c" stroke-dasharray="6 4"/><text x="{width - right}" '
            f'y="{y(line) - 4:.1f}" font-size="12" text-anchor="end" fill="#b91c1c">'
            f"limit {line:.1%}</text>"
        )
    legend = []
    for n, s in enumerate(series):
        color = COLORS[n % len(COLORS)]
        points = " ".join(f"{left + slot * i:.1f},{y(p.rate):.1f}" for i, p in enumerate(s.points))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{color}" stroke-width="2">'
            f"<title>{escape(s.campaign)}</title></polyline>"
        )
        legend.append(
            f'<li><i style="background:{color}"></i>{escape(s.campaign)} '
            f"(peak {s.peak:.2%}, limit {s.limit:.1%})</li>"
        )
    parts.append("</svg>")
    return (
        "<section><h2>Abandoned calls per campaign</h2>"
        + "".join(parts)
        + f'<ul class="legend">{"".join(legend)}</ul>'
        + '<p class="note">Each day: calls abandoned of those answered by a person in that '
        "day's 30-day period so far (16 CFR 310.4(b)(4)(i)); the dashed line is the limit.</p>"
        "</section>"
    )
