"""``dnc check``: may this number be called now?"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

import dnc
from dnc.cli.common import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    console,
    fail,
    parse_instant,
    print_json,
    state,
    user_errors,
)
from dnc.cli.render import human_time, key, print_table, text

HELP = """Check whether NUMBER may be called, and why not.

Exit status: 0 may call, 1 must not call (also when the database cannot be
reached), 2 bad input, 3 no dnc database there (run dnc init).

Example: dnc check "+1 201 555 0123" --campaign spring --json
"""


def register(app: typer.Typer) -> None:
    app.command("check", help=HELP)(check)


@user_errors
def check(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The number, in any common format.")],
    campaign: Annotated[str | None, typer.Option(help="The campaign the call is for.")] = None,
    at: Annotated[
        str | None, typer.Option(help="When the call would be made (ISO 8601 with offset).")
    ] = None,
    location: Annotated[
        str | None,
        typer.Option(help="Where the called party is: ISO 3166-2 (US-FL) or IANA zone."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    when = parse_instant(at)
    st = state(ctx)
    try:
        service = st.service()
    except dnc.DatabaseMissingError as exc:
        # Not an outage but the wrong place: said as a storage error (exit 3),
        # with the refusing verdict still printed for a --json reader.
        if as_json:
            print_json(_failed(number, str(exc)).to_dict())
        raise fail(str(exc), EXIT_UNAVAILABLE) from None
    except dnc.StorageError as exc:
        # Fail closed: no database means no clearance, said as a verdict.
        verdict, now, region, readings = _failed(number, str(exc)), None, "", ()
    else:
        try:
            verdict = service.check(number, campaign=campaign, at=when, location=location)
            now, region = service.now(), service.config.default_region
            invalid = dnc.ReasonCode.INVALID_NUMBER in verdict.codes
            readings = service.other_readings(number) if invalid else ()
        finally:
            st.close()
    invalid = dnc.ReasonCode.INVALID_NUMBER in verdict.codes
    if as_json:
        print_json(verdict.to_dict())
    elif invalid:
        raise fail(_invalid(number, verdict, region, readings))
    else:
        render(verdict, now)
    if invalid:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(EXIT_OK if verdict.allowed else EXIT_REFUSED)


def _invalid(number: str, verdict: dnc.Verdict, region: str, readings: tuple[str, ...]) -> str:
    """One line: what was wrong, the region it was read in, and the readings
    that would be valid elsewhere (``020 7946 0000`` is too long as a US number)."""
    text = f"invalid phone number {number!r}: {verdict.reasons[0].detail}"
    if region and not number.strip().startswith("+"):
        text += f" (read as a {region} number, the default region)"
    if readings:
        text += "; did you mean " + " or ".join(readings) + "?"
    return text


def _failed(number: str, why: str) -> dnc.Verdict:
    return dnc.Verdict.refuse(
        number, [dnc.Reason(dnc.ReasonCode.CHECK_FAILED, f"database unavailable: {why}")]
    )


def render(verdict: dnc.Verdict, now: datetime | None = None) -> None:
    title = f"{verdict.number}: " + ("may call" if verdict.allowed else "do not call")
    if verdict.allowed:
        console.print(title, highlight=False)
        return
    print_table(
        title,
        [key("reason"), text("detail")],
        [(r.code.value, r.detail) for r in verdict.reasons],
    )
    nxt = human_time(verdict.next_allowed_at, verdict.number, now) or "not knowable"
    console.print(f"next allowed: {nxt}", highlight=False)
