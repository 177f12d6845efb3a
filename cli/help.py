"""``--help`` as a person reads it: option types as words, usage without braces.

Typer shows a value's Python type (``<str>``, ``<int>``, ``<bool>`` even for
a flag) and wraps a required argument in braces (``{number}``). Here every
option that takes a value names it as a word (TEXT, INTEGER, PATH, or the
metavar a command gives, such as TIME or DATE), a flag names nothing, an
argument is its name in capitals (``NUMBER``, ``[FILE]`` when optional), and
a command's line in its group's list is its first paragraph on one line.

Typer offers no setting for this, so the root group fixes the built command
tree once, when it is made; every command and group below it is covered.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import typer
from typer.core import TyperArgument, TyperGroup, TyperOption

WORDS: dict[object, str] = {int: "INTEGER", float: "NUMBER", bool: "BOOLEAN"}

# What a text option holds, by its name, where that is more than TEXT (a
# command that reads more, such as a date or a time, gives its own metavar).
NAMED: dict[str, str] = {
    "--at": "TIME",
    "--callback-at": "TIME",
    "--as-of": "DATE",
    "--date": "DATE",
    "--since": "DATE",
    "--until": "DATE",
    "--expires": "DATE|TIME",
    "--not-before": "HH:MM",
    "--not-after": "HH:MM",
    "--database-url": "URL",
    "--config": "PATH",
}


class _Argument(TyperArgument):
    """An argument shown as its name in capitals, without a type beside it."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw + ("..." if self.nargs != 1 else "")
        return name if self.required else f"[{name}]"


@cache
def _polished_class(cls: type) -> type:
    """``cls`` with a help flag that names no type (a subclass of the
    command's own class, so a custom group such as ``dnc reply`` keeps its ways)."""

    def get_help_option(self: Any, ctx: Any) -> Any:
        option = cls.get_help_option(self, ctx)  # type: ignore[attr-defined]
        if option is not None:
            option.metavar = ""
        return option

    return type(cls.__name__, (cls,), {"get_help_option": get_help_option})


def _word(option: TyperOption) -> str:
    for name in option.opts:
        if name in NAMED:
            return NAMED[name]
    desc = option.type_descriptor
    if desc.is_path:
        return "PATH"
    annotation = desc.annotation
    if getattr(annotation, "__origin__", None) is list:
        (annotation,) = annotation.__args__
        if _is_path(annotation):
            return "PATH"
    return WORDS.get(annotation, "TEXT")


def _is_path(annotation: object) -> bool:
    return isinstance(annotation, type) and annotation.__name__.endswith("Path")


def _first_paragraph(text: str) -> str:
    return " ".join(text.strip().split("\n\n")[0].split())


def _name_type(param: object) -> None:
    if isinstance(param, TyperOption) and param.metavar is None:
        param.metavar = "" if param.is_flag else _word(param)


def polish(command: Any) -> None:
    """Fix the help of ``command`` and every command under it."""
    command.__class__ = _polished_class(type(command))
    for param in command.params:
        if isinstance(param, TyperArgument):
            param.__class__ = _Argument
            if param.metavar is None:
                param.metavar = (param.name or "value").upper()
        else:
            _name_type(param)
    if command.help and not command.short_help:
        command.short_help = _first_paragraph(command.help)
    for sub in getattr(command, "commands", {}).values():
        polish(sub)


class HelpGroup(TyperGroup):
    """The root group: polishes the help of the whole command tree once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for sub in self.commands.values():
            polish(sub)

    def get_params(self, ctx: typer.Context) -> list[Any]:
        # The completion options join the root's parameters after it is made.
        params = super().get_params(ctx)
        for param in params:
            _name_type(param)
        return params
