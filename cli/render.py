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

from rich import box
from rich.table import Table

import dnc
from dnc.cli.common import console


@dataclass(frozen=True)
class Column:
    """A table column; ``key`` for numbers, codes and ids (never wrapped)."""

    name: str
    key: bool = False
    justify: Literal["left", "right"] = "left"
    min_width: int | None = None
    weight: int = 1  # a prose column's share of the width left in a terminal


def key(name: str) -> Column:
    return Column(name, key=True)


def count(name: str) -> Column:
    return Column(name, key=True, justify="right")


def text(name: str, weight: int = 1) -> Column:
    return Column(name, weight=weight)


def moment(name: str) -> Column:
    """A time column: it wraps between its words, never inside one."""
    return Column(name, min_width=10)


def human_time(at: datetime | None, number: str | None = None, now: datetime | None = None) -> str:
    """An instant to the minute; in the number's local time beside UTC where it has one."""
    if at is None:
        return ""
    return dnc.describe_time(at, _zones(number), now=now)


def stamp(at: datetime | None) -> str:
    """When something was recorded, in a table: ``2026-12-03 14:00 UTC``
    (sortable, and narrow enough for an 80-column terminal)."""
    return "" if at is None else dnc.minute_time(at)


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
    cells = [[_cell(v) for v in row] for row in rows]
    # In a terminal a column empty in every row is left out, and a rule under
    # the header replaces column lines: more of 80 columns is text. Numbers,
    # codes and ids keep their width; prose and times share what is left.
    shown = [i for i in range(len(columns)) if not cells or any(row[i] for row in cells)]
    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, expand=True
    )
    for i in shown:
        c = columns[i]
        if c.key:
            table.add_column(c.name, no_wrap=True, overflow="ignore", justify=c.justify)
        else:
            # With a ratio, rich reads ``width`` as the column's least width.
            table.add_column(
                c.name,
                justify=c.justify,
                width=c.min_width or 8,
                ratio=c.weight,
                overflow="ellipsis" if c.min_width else "fold",
            )
    for row in cells:
        table.add_row(*(row[i] for i in shown))
    console.print(table, highlight=False)


def _cell(value: object) -> str:
    if value is None:
        return ""
    # One line per row, one tab per column: a note's own tab or newline is a space.
    return " ".join(str(value).replace("\t", " ").splitlines())
