"""``dnc outcome``: record how a call ended."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

import dnc
from dnc.cli.common import console, parse_instant, print_json, state, user_errors
from dnc.cli.render import human_time

HELP = """Record how a call to NUMBER ended, and show what it leads to.

Outcomes: refused, opt_out, callback, no_answer, busy, voicemail, hung_up,
answered, sale, wrong_number. Every outcome counts as an attempt.

Example: dnc outcome 2015550123 --campaign spring --outcome callback
--callback-at 2026-11-23T15:00:00-05:00
"""


def register(app: typer.Typer) -> None:
    app.command("outcome", help=HELP)(outcome)


@user_errors
def outcome(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The number, in any common format.")],
    campaign: Annotated[str, typer.Option(help="The campaign the call was for.")],
    outcome: Annotated[
        str, typer.Option(help="How it ended: refused, opt_out, callback, no_answer, ...")
    ],
    at: Annotated[
        str | None, typer.Option(help="When the call was made (ISO 8601 with offset); default now.")
    ] = None,
    callback_at: Annotated[
        str | None,
        typer.Option(help="For callback: when to call back (default: the campaign's delay)."),
    ] = None,
    refusals: Annotated[
        int, typer.Option(help="For refused: how many times the person said no in this call.")
    ] = 1,
    note: Annotated[str | None, typer.Option(help="Free text kept with the outcome.")] = None,
    agent: Annotated[
        str | None, typer.Option(help="The agent or dialer that made the call.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    st = state(ctx)
    try:
        result = st.service().record_outcome(
            number,
            campaign,
            outcome,
            at=parse_instant(at),
            callback_at=parse_instant(callback_at, "--callback-at"),
            refusals=refusals,
            note=note,
            agent=agent,
            actor=st.actor,
        )
        e164 = st.service().parse(number).e164
        now = st.service().now()
    finally:
        st.close()
    record, after = result.record, result.after
    if as_json:
        print_json(
            {
                "number": e164,
                "id": record.id,
                "campaign": record.campaign,
                "outcome": record.outcome.value,
                "at": record.at.isoformat(),
                "refusals": record.refusals,
                "callback_at": record.callback_at.isoformat() if record.callback_at else None,
                "state": after.to_dict(),
            }
        )
        return
    console.print(
        f"{e164} {record.campaign}: {record.outcome.value} recorded (attempt "
        f"{after.attempts_total:,} in this campaign) → {_state(after, e164, now)}",
        highlight=False,
    )
    for reason in after.reasons:
        console.print(f"  {reason.code.value}: {reason.detail}", highlight=False)


def _state(after: dnc.CampaignState, e164: str, now: datetime) -> str:
    if not after.reasons:
        return "may call"
    codes = ", ".join(dict.fromkeys(c.value for c in after.codes))
    nxt = human_time(after.next_allowed_at, e164, now) or "not knowable"
    return f"{codes}; next allowed {nxt}"
