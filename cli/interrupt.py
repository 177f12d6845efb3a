"""Ctrl-C: one line saying what was changed, and exit status 130.

Every command writes in one transaction that commits at its end, and the
imports, loads and the scrub check their whole input before that, so a
command interrupted before it printed its result changed nothing.
"""

from __future__ import annotations

from typing import Any

import typer

from dnc.cli.common import OneLineGroup, err_console
from dnc.cli.help import HelpGroup

EXIT_INTERRUPTED = 130

SAID = {
    "init": "interrupted: the schema is upgraded one migration at a time; run dnc init again",
    "jobs serve": "scheduler stopped",
}
NOTHING = "interrupted: nothing was changed (a dnc change is written whole or not at all)"


class RootGroup(HelpGroup, OneLineGroup):
    """The ``dnc`` group: help as words (HelpGroup), a usage mistake as one
    line (OneLineGroup), and Ctrl-C as one line."""

    _invoked: str = ""

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:
        found = super().resolve_command(ctx, args)
        self._invoked = " ".join(a for a in args[:2] if not a.startswith("-"))
        return found

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            said = next(
                (text for name, text in SAID.items() if self._invoked.startswith(name)), NOTHING
            )
            err_console.print(said, highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
