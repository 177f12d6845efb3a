"""``dnc report``: what a compliance officer reads each morning (or each audit)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

import dnc
from dnc.cli.common import console, output_file, print_json, service_for, user_errors
from dnc.cli.progress import working
from dnc.reports import render_html, render_text

HELP = """Report opt-outs by channel, three-no's suppressions, scrub removals and
deferrals by reason and campaign, registry ages and job failures over UTC days
(default: the last 30). --format html writes one self-contained page with charts.

--client C reports one client of the call centre: its lists and its campaigns.

Example: dnc report --since 2026-11-01 --until 2026-11-30 --format html --out report.html
"""

FORMATS = ("table", "csv", "json", "html")


def register(app: typer.Typer) -> None:
    app.command("report", help=HELP)(report)


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise dnc.InputError(f"{option} {value!r} is not a date (e.g. 2026-11-23)") from None
    return dnc.valid_day(day, option)


@user_errors
def report(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Option("--date", help="One UTC day (YYYY-MM-DD).")] = None,
    since: Annotated[str | None, typer.Option(help="First UTC day (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(help="Last UTC day, inclusive.")] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="table (default), csv, json or html.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of stdout.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    client: Annotated[
        str | None,
        typer.Option(help="Only this client's lists and campaigns (the centre's registries)."),
    ] = None,
) -> None:
    if as_json and fmt not in (None, "json"):
        raise dnc.InputError(f"--json and --format {fmt} contradict each other: give one")
    fmt = "json" if as_json else (fmt or "table")
    if fmt not in FORMATS:
        raise dnc.InputError(f"--format {fmt!r}: use {', '.join(FORMATS)}")
    if day is not None and (since is not None or until is not None):
        raise dnc.InputError("give --date, or --since/--until, not both")
    first = _day(day or since, "--date" if day else "--since")
    last = _day(day or until, "--date" if day else "--until")
    with service_for(ctx) as service, working("reporting"):
        result = service.report(first, last, client=client)
    if fmt == "json":
        text = json.dumps(result.to_dict()) + "\n"
    elif fmt == "csv":
        text = render_text.render_csv(result)
    elif fmt == "html":
        text = render_html.render(result)
    else:
        text = render_text.render_text(result)
    if out is not None:
        with output_file(out) as stream:
            stream.write(text)
        console.print(f"report written to {out}", highlight=False)
    elif fmt == "json":
        print_json(result.to_dict())
    else:
        typer.echo(text, nl=not text.endswith("\n"))
