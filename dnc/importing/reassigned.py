"""Reassigned-numbers files: a CSV of ``number,disconnected_on``. Pure and streaming.

Each row is one permanent disconnect: the number in any format phonenumbers
reads (national numbers in the registry's region) and the day it was
disconnected (YYYY-MM-DD). A disconnect after the file's own date cannot be
known yet and is a bad line, as is a number outside the registry's plan.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from dnc.errors import BadLineError, InvalidNumberError
from dnc.importing.formats import Skipped, csv_rows, number_cell
from dnc.importing.plans import PlanFilter
from dnc.importing.sources import InputFile
from dnc.numbers import parse

COLUMN = "disconnected_on"
CHUNK = 50_000


def read_disconnects(
    source: InputFile,
    region: str,
    plan: PlanFilter,
    skipped: Skipped | None,
    latest: date,
) -> Iterator[list[tuple[int, date]]]:
    """Chunks of (E.164 digits as an integer, disconnect day); ``skipped`` None
    means fail on the first bad line (BadLineError naming it)."""
    chunk: list[tuple[int, date]] = []
    for member, line, row in csv_rows(source):
        if COLUMN not in row:
            raise BadLineError(
                member, line, ",".join(row.values()), f"no {COLUMN!r} column or value"
            )
        cell = number_cell(row)
        value = cell
        why: str | None = None
        try:
            phone = parse(cell, region)
            why = plan.refusal(phone.digits, phone.region)
        except InvalidNumberError as exc:
            why = exc.why
        if why is None:
            value = (row[COLUMN] or "").strip()
            try:
                day = date.fromisoformat(value)
            except ValueError:
                why = "not a disconnect date (YYYY-MM-DD)"
            else:
                if day > latest:
                    why = f"a disconnect after the list's date {latest.isoformat()}"
        if why is not None:
            if skipped is None:
                raise BadLineError(member, line, value, why)
            skipped.add(line, value)
            continue
        chunk.append((phone.key, day))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
