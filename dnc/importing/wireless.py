"""Wireless/ported-number files: a CSV of ``number`` and, optionally, ``line_type``.

Each row is one number (any format phonenumbers reads; national numbers in
the source's region) and what its line is now: ``wireless`` (also
``mobile``, ``ported-to-wireless``) or ``wireline`` (also ``landline``,
``ported-to-wireline``). A file without the column, or a row with it empty,
lists wireless numbers. Anything else, or a number outside the source's
plan, is a bad line.
"""

from __future__ import annotations

from collections.abc import Iterator

from dnc.errors import BadLineError, InvalidNumberError
from dnc.importing.formats import Skipped, csv_rows, number_cell
from dnc.importing.plans import PlanFilter
from dnc.importing.sources import InputFile
from dnc.numbers import parse

COLUMN = "line_type"
CHUNK = 50_000
WORDS = {
    "": True,
    "wireless": True,
    "mobile": True,
    "ported-to-wireless": True,
    "wireline": False,
    "landline": False,
    "ported-to-wireline": False,
}


def read_lines(
    source: InputFile, region: str, plan: PlanFilter, skipped: Skipped | None
) -> Iterator[list[tuple[int, bool]]]:
    """Chunks of (E.164 digits as an integer, wireless?); ``skipped`` None means
    fail on the first bad line (BadLineError naming it)."""
    chunk: list[tuple[int, bool]] = []
    for member, line, row in csv_rows(source):
        cell = number_cell(row)
        value = cell
        why: str | None = None
        wireless = True
        try:
            phone = parse(cell, region)
            why = plan.refusal(phone.digits, phone.region)
        except InvalidNumberError as exc:
            why = exc.why
        if why is None:
            value = (row.get(COLUMN) or "").strip()
            found = WORDS.get(value.lower().replace("_", "-"))
            if found is None:
                why = "not a line type (wireless, wireline, ported-to-wireless, ported-to-wireline)"
            else:
                wireless = found
        if why is not None:
            if skipped is None:
                raise BadLineError(member, line, value, why)
            skipped.add(line, value)
            continue
        chunk.append((phone.key, wireless))
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
