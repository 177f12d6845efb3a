"""Change lists: comma-separated records of a number and an add/delete marker.

The column layout comes from the registry's configuration (the FTC field
order is not public). Change lists are small next to full lists, so they
are read record by record; an unknown marker is an error naming its line.
"""

from __future__ import annotations

from dataclasses import dataclass

from dnc.errors import BadLineError
from dnc.importing.formats import Skipped, csv_records, parse_one
from dnc.importing.plans import PlanFilter
from dnc.importing.sources import InputFile
from dnc.registries import ChangeLayout


@dataclass(slots=True)
class Changes:
    """The net effect of a change list: the last marker for a number wins."""

    add: set[int]
    delete: set[int]
    lines: int


def read_changes(
    source: InputFile,
    fmt: str,
    region: str,
    layout: ChangeLayout,
    skipped: Skipped | None,
    plan: PlanFilter | None = None,
) -> Changes:
    net: dict[int, bool] = {}
    lines = 0
    width = max(*layout.number_columns, layout.marker_column) + 1
    for member, stream in source.members():
        for line, row in csv_records(source, member, stream):
            lines += 1
            if not any(cell.strip() for cell in row):
                continue
            value = ",".join(row)
            try:
                if len(row) < width:
                    raise ValueError(f"expected at least {width} columns")
                marker = row[layout.marker_column].strip().upper()
                if marker in layout.add_markers:
                    is_add = True
                elif marker in layout.delete_markers:
                    is_add = False
                else:
                    known = ", ".join(sorted(layout.add_markers | layout.delete_markers))
                    raise ValueError(f"unknown add/delete marker {marker!r} (known: {known})")
                number = "".join(row[c].strip() for c in layout.number_columns)
                key = parse_one(fmt, number, region)
                why = plan.refusal(str(key)) if plan is not None else None
                if why is not None:
                    raise ValueError(why)
                net[key] = is_add
            except ValueError as exc:
                if skipped is None:
                    raise BadLineError(member, line, value, str(exc)) from None
                skipped.add(line, value)
    return Changes(
        add={n for n, is_add in net.items() if is_add},
        delete={n for n, is_add in net.items() if not is_add},
        lines=lines,
    )
