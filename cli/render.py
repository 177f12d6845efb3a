"""Tables and times as every command prints them, to a terminal or a pipe.

In a terminal a table is drawn by rich, its number, code and id columns never
wrapped (an E.164 number split over two lines cannot be copied or grepped);
times and prose wrap between words. Into a pipe or a file it is tab-separated
lines, whole values and no box drawing, so ``grep``, ``cut -f`` and ``sort``
work on it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from rich.table import Table

import dnc
from dnc.cli.common import console


@dataclass(frozen=True)
class Column:
    """A table column; ``key`` for numbers, codes and ids (never wrapped)."""

    name: str
    key: bool = False
    justify: Literal["left", "right"] = "left"


def key(name: str) -> Column:
    return Column(name, key=True)


def count(name: str) -> Column:
    return Column(name, key=True, justify="right")


def text(name: str) -> Column:
    return Column(name)


def moment(name: str) -> Column:
    """A time column: ``08:00 CST Thu 3 Dec (14:00 UTC)`` may wrap between its words."""
    return Column(name)


def human_time(at: datetime | None, number: str | None = None, now: datetime | None = None) -> str:
    """An instant to the minute; in the number's local time beside UTC where it has one."""
    if at is None:
        return ""
    return dnc.describe_time(at, _zones(number), now=now)


def _zones(number: str | None) -> tuple[str, ...]:
    if number is None:
        return ()
    try:
        return dnc.parse_number(number).time_zones
    except dnc.InvalidNumberError:
        return ()


def print_table(
    title: str | None, columns: Sequence[Column], rows: Iterable[Sequence[object]]
) -> None:
    """Print rows under ``columns``: a rich table in a terminal, tab-separated lines in a pipe."""
    if not console.is_terminal:
        out = sys.stdout
        if title:
            out.write(f"# {_cell(title)}\n")
        out.write("\t".join(c.name for c in columns) + "\n")
        for row in rows:
            out.write("\t".join(_cell(v) for v in row) + "\n")
        out.flush()
        return
    table = Table(title=title, title_justify="left")
    for c in columns:
        if c.key:
            table.add_column(c.name, no_wrap=True, overflow="ignore", justify=c.justify)
        else:
            table.add_column(c.name, justify=c.justify, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(v) for v in row))
    console.print(table, highlight=False)


def _cell(value: object) -> str:
    if value is None:
        return ""
    # One line per row, one tab per column: a note's own tab or newline is a space.
    return " ".join(str(value).replace("\t", " ").splitlines())
