"""``dnc intent``: how a reply reads — opt-out, refusal, callback request or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

import dnc
from dnc.cli.common import console, print_json, user_errors
from dnc.cli.render import count, key, print_table
from dnc.cli.render import text as prose

HELP = """Read TEXT (a reply or what was said on a call) as opt-out, refusal,
callback request or none, with every rule that fired and where. Nothing is
recorded. Exit status: 0 read, 2 bad input.

Example: dnc intent "Rufen Sie mich nicht mehr an" --json
"""


def register(app: typer.Typer) -> None:
    app.command("intent", help=HELP)(intent)


@user_errors
def intent(
    text: Annotated[str, typer.Argument(help="The reply, as received.")],
    language: Annotated[
        str | None,
        typer.Option(help="Expected language (ISO 639-1, e.g. de); default: detect."),
    ] = None,
    rules: Annotated[
        list[Path] | None,
        typer.Option("--rules", help="A company phrase file or folder of them (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    loaded = dnc.load_reply_rules(rules) if rules else None
    reading = dnc.classify_reply(text, language, rules=loaded)
    if as_json:
        print_json(reading.to_dict())
    else:
        render(reading)


def render(reading: dnc.ReplyIntent) -> None:
    where = f" in {reading.language}" if reading.language else ""
    per_se = " (per-se keyword)" if reading.per_se else ""
    console.print(f"[bold]{reading.intent.value}[/]{per_se}{where}", highlight=False)
    if reading.matches:
        print_table(
            None,
            [key("rule"), key("intent"), count("span"), prose("text")],
            [(m.rule_id, m.intent.value, f"{m.start}-{m.end}", m.text) for m in reading.matches],
        )
    if reading.callback is not None:
        said = {k: v for k, v in reading.callback.to_dict().items() if v not in (None, False)}
        text = ", ".join(f"{k} {v}" for k, v in said.items()) or "no time given"
        console.print(f"callback: {text}", highlight=False)
