"""``dnc reply``: record what a person wrote or said, read as opt-out,
refusal, callback request or nothing, with its effect."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

import dnc
from dnc.cli.common import (
    Encoding,
    console,
    err_console,
    parse_instant,
    print_json,
    state,
    user_errors,
)
from dnc.cli.progress import file_bar
from dnc.cli.render import human_time

RECORD_HELP = (
    "Record a reply from NUMBER and do what it asks: an opt-out is an opt-out (the text and "
    "the phrase that fired kept as evidence), a refusal a refused outcome, a callback request "
    'a callback at the time asked for (or preferred hours: "not before 10"); anything else '
    "is kept with no effect.\n\n"
    'Example: dnc reply +12015550123 --text "STOP" --channel sms --campaign spring'
)


class _RecordByDefault(TyperGroup):
    """``dnc reply NUMBER ...`` records one reply; ``dnc reply import FILE``
    imports a file: a first argument that is no subcommand is a number."""

    def resolve_command(
        self, ctx: typer.Context, args: list[str]
    ) -> tuple[str | None, Any, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["record", *args]
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=_RecordByDefault,
    help="Replies: record what a person wrote or said, one or a file of them.\n\n"
    'Example: dnc reply +12015550123 --text "STOP" --channel sms',
    no_args_is_help=True,
)


@app.command("record", help=RECORD_HELP)
@user_errors
def record(
    ctx: typer.Context,
    number: Annotated[str, typer.Argument(help="The number the reply came from.")],
    text: Annotated[str, typer.Option("--text", help="What the person wrote or said.")],
    channel: Annotated[
        str, typer.Option(help="How it arrived: sms, call, email, web or chat.")
    ] = "sms",
    campaign: Annotated[
        str | None,
        typer.Option(help="The campaign it answers (refusals and callbacks count there)."),
    ] = None,
    at: Annotated[
        str | None, typer.Option(help="When it arrived (ISO 8601 with offset); default now.")
    ] = None,
    agent: Annotated[str | None, typer.Option(help="The agent who took it, if any.")] = None,
    language: Annotated[
        str | None, typer.Option(help="The language expected (en, de, et, lt, ru).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reply as JSON.")] = False,
) -> None:
    st = state(ctx)
    try:
        done = st.service().record_reply(
            number,
            text,
            channel=channel,
            campaign=campaign,
            at=parse_instant(at),
            agent=agent,
            language=language,
            actor=st.actor,
        )
    finally:
        st.close()
    if as_json:
        print_json(done.to_dict())
        return
    console.print(f"{done.reply.number}: {_said(done)}", highlight=False)


@app.command(
    "import",
    help="Record every reply of a CSV (number, text, received_at, channel; optional "
    "campaign, agent), all or nothing.\n\nExample: dnc reply import gateway-export.csv",
)
@user_errors
def import_file(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The CSV file (.gz and .zip read too).")],
    language: Annotated[
        str | None, typer.Option(help="The language expected (en, de, et, lt, ru).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    encoding: Encoding = None,
) -> None:
    st = state(ctx)
    try:
        with file_bar(f"importing {path.name}") as progress:
            summary = st.service().import_replies(
                path, language=language, actor=st.actor, encoding=encoding, progress=progress
            )
    finally:
        st.close()
    if as_json:
        print_json({"file": summary.file, "read": summary.read, "effects": summary.effects})
    else:
        console.print(summary.line(), highlight=False)


def _start(match: Any) -> int:
    return int(match.start)


def _said(done: dnc.RecordedReply) -> str:
    reading = done.reading
    spans = {(m.start, m.end): m for m in reversed(reading.matches)}  # first rule per span
    fired = ", ".join(f"{m.rule_id} {m.text!r}" for m in sorted(spans.values(), key=_start)[:3])
    why = f" ({fired})" if fired else ""
    effects: dict[str, Any] = {
        "opt_out": "opt-out recorded: on the internal do-not-call list",
        "refused": "refusal recorded",
        "callback": "callback recorded"
        + (
            f" for {human_time(done.outcome.record.callback_at, done.reply.number)}"
            if done.outcome and done.outcome.record.callback_at
            else ""
        ),
        "preference": "preferred hours recorded",
        "no_campaign": "not counted: a refusal or callback needs --campaign",
        "none": "recorded; no effect",
    }
    if done.effect == "no_campaign":
        err_console.print(
            "warning: a refusal or callback counts for a campaign; give --campaign", highlight=False
        )
    return f"{reading.intent.value}{why} → {effects.get(done.effect, done.effect)}"
