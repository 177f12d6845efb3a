"""Registry file layouts → E.164 digits. Pure and streaming.

Each reader turns a block of lines into ``Chunk``: the E.164 digits of its
numbers, newline-separated, as bytes. The fixed layouts (ftc, dncl, tps)
validate a whole block with one regular expression and rewrite it with
byte operations, so the per-number cost stays in C; only a block that
fails is walked line by line to name the bad line (or skip it). A block's
numbers are held to the registry's numbering plan the same way
(dnc/importing/plans.py).

Layouts (docs/registries.md):

- ftc: ``2015550123`` or ``201,5550123`` per line (US FTC full list);
- dncl: ``416,1234567`` per line, or 10 digits (Canada DNCL);
- tps: national format with a leading 0, fixed width with or without
  spaces: ``0113 2111115`` or ``01132111115`` (UK TPS/CTPS);
- csv: a header row with a ``number`` (or ``phone``) column in any format
  phonenumbers reads, with the registry's region.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO

import numpy as np
from numpy.typing import NDArray

from dnc.errors import BadLineError, InputError, InvalidNumberError
from dnc.importing.plans import PlanFilter
from dnc.importing.sources import Block, InputFile
from dnc.inputs import identifier
from dnc.numbers import parse

MAX_SKIPPED_SHOWN = 5


@dataclass(slots=True)
class Chunk:
    """Numbers read from one block: E.164 digits joined by newlines (and, when
    the fast path read them, the same numbers as integers, in order)."""

    digits: bytes
    count: int
    lines: int
    keys: NDArray[np.uint64] | None = None


@dataclass(slots=True)
class Skipped:
    """Lines left out under ``--skip-invalid``: how many, and the first few."""

    count: int = 0
    first: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, value: str) -> None:
        self.count += 1
        if len(self.first) < MAX_SKIPPED_SHOWN:
            self.first.append((line, value))


@dataclass(frozen=True, slots=True)
class _Fixed:
    """A line-per-number layout: what a valid line looks like and how to rewrite it."""

    line: re.Pattern[bytes]
    block: re.Pattern[bytes]
    strip: bytes
    national: re.Pattern[bytes]
    replace: bytes
    why: str


def _fixed(line: bytes, strip: bytes, national: bytes, replace: bytes, why: str) -> _Fixed:
    return _Fixed(
        line=re.compile(line),
        # Possessive: a line matches one way or not at all, and backtracking
        # state kept per line costs more than the match itself.
        block=re.compile(rb"(?:(?:" + line + rb")?+\n)*+"),
        strip=strip,
        national=re.compile(national, re.MULTILINE),
        replace=replace,
        why=why,
    )


_NANP = _fixed(
    rb"[2-9][0-9]{2},?[2-9][0-9]{6}",
    b",",
    rb"^(?=[0-9])",
    b"1",
    "not a 10-digit NANP number (2015550123 or 201,5550123)",
)
_TPS = _fixed(
    rb"0 *[1-9](?: *[0-9]){8,9} *",
    b" ",
    rb"^0",
    b"44",
    "not a UK national number (0113 2111115 or 01132111115)",
)
FIXED = {"ftc": _NANP, "dncl": _NANP, "tps": _TPS}


def read_numbers(
    source: InputFile,
    fmt: str,
    region: str,
    skipped: Skipped | None,
    plan: PlanFilter | None = None,
) -> Iterator[Chunk]:
    """Chunks of E.164 digits from a full list; ``skipped`` None means fail on a bad line.

    With ``plan``, a number outside the registry's numbering plan is a bad line.
    """
    if fmt == "csv":
        yield from _read_csv(source, region, skipped, plan)
        return
    layout = FIXED[fmt]
    for block in source.blocks():
        yield _fixed_chunk(layout, block, skipped, plan)


def _fixed_chunk(
    layout: _Fixed, block: Block, skipped: Skipped | None, plan: PlanFilter | None
) -> Chunk:
    if layout is _NANP:
        fast = nanp_block(block.data, plan)
        if fast is not None:
            digits, keys = fast
            return Chunk(digits, keys.size, keys.size, keys)
    good = layout.block.fullmatch(block.data) is not None
    if good:
        digits = _digits(layout, block.data)
        good = plan is None or plan.block_ok(digits)
    if not good:
        digits = _digits(layout, _good_lines(layout, block, skipped, plan))
    if b"\n\n" in digits or digits.startswith(b"\n"):
        digits = b"\n".join(digits.split()) + b"\n"  # blank lines are allowed, not numbers
    return Chunk(digits.rstrip(b"\n"), digits.count(b"\n"), block.lines)


def nanp_block(data: bytes, plan: PlanFilter | None) -> tuple[bytes, NDArray[np.uint64]] | None:
    """A block whose every line is ``2015550123`` or every line ``201,5550123``
    (what registries ship), checked and rewritten to E.164 digits in numpy,
    ~10x the regular expressions; None for anything else (blank lines, mixed
    widths, a bad line: the regular expressions then name the line)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    for width, comma in ((10, None), (11, 3)):
        if buf.size == 0 or buf.size % (width + 1):
            continue
        rows = buf.reshape(-1, width + 1)
        if not (rows[:, width] == _NEWLINE).all():
            continue
        if comma is not None:
            if not (rows[:, comma] == _COMMA).all():
                continue
            rows = np.delete(rows, comma, axis=1)
        digits = rows[:, :10] - np.uint8(_ZERO)
        if int(digits.max()) > 9 or int(digits[:, 0].min()) < 2 or int(digits[:, 3].min()) < 2:
            return None
        keys = np.full(digits.shape[0], 1, dtype=np.uint64)
        for column in range(10):
            keys *= np.uint64(10)
            keys += digits[:, column]
        if plan is not None and not plan.keys_ok(keys, 11):
            return None
        out = np.empty((digits.shape[0], 12), dtype=np.uint8)
        out[:, 0] = _ZERO + 1
        out[:, 1:11] = rows[:, :10]
        out[:, 11] = _NEWLINE
        return out.tobytes()[:-1], keys
    return None


_NEWLINE, _COMMA, _ZERO = ord("\n"), ord(","), ord("0")


def _digits(layout: _Fixed, data: bytes) -> bytes:
    """Valid lines of a layout → E.164 digits, line for line."""
    return layout.national.sub(layout.replace, data.replace(layout.strip, b""))


def _good_lines(
    layout: _Fixed, block: Block, skipped: Skipped | None, plan: PlanFilter | None
) -> bytes:
    good = []
    for offset, line in enumerate(block.data.split(b"\n")[:-1]):
        why: str | None = None
        if line and not layout.line.fullmatch(line):
            why = layout.why
        elif line and plan is not None:
            why = plan.refusal(_digits(layout, line).decode("ascii"))
        if why is None:
            good.append(line)
            continue
        value = line[:80].decode("ascii", "backslashreplace")
        if skipped is None:
            raise BadLineError(block.member, block.first_line + offset, value, why)
        skipped.add(block.first_line + offset, value)
    return b"\n".join(good) + b"\n"


def parse_one(fmt: str, text: str, region: str) -> int:
    """One number in ``fmt``'s layout → its E.164 digits as an integer.

    Raises ValueError saying why it is not one. Used for change lists and tests.
    """
    if fmt == "csv":
        try:
            return parse(text, region).key
        except InvalidNumberError as exc:
            raise ValueError(exc.why) from None
    layout = FIXED[fmt]
    raw = text.strip().encode("ascii", "replace")
    if not layout.line.fullmatch(raw):
        raise ValueError(layout.why)
    return int(layout.national.sub(layout.replace, raw.replace(layout.strip, b"")))


_NUMBER_COLUMNS = ("number", "phone")


def csv_records(
    source: InputFile, member: str, stream: IO[bytes]
) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of one member; a line the csv module cannot read
    (an over-long field) or holding a NUL byte is a BadLineError naming it."""
    reader = csv.reader(source.lines(member, stream))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BadLineError(member, reader.line_num + 1, "", f"not CSV: {exc}") from None
        if "\x00" in "".join(row):  # one test a line; the cell found only to name it
            cell = next(c for c in row if "\x00" in c)
            raise BadLineError(member, reader.line_num, cell[:80], "a NUL byte in a cell")
        yield reader.line_num, row


def cell_identifier(member: str, line: int, value: str | None, name: str) -> str | None:
    """A cell naming something (a lead id, a campaign): clean text no longer
    than its column (dnc.inputs.WIDTHS), else a BadLineError naming the line."""
    if value is None:
        return None
    try:
        return identifier(value, name)
    except InputError as exc:
        raise BadLineError(member, line, value[:80], str(exc)) from None


def csv_rows(source: InputFile) -> Iterator[tuple[str, int, dict[str, str]]]:
    """(member, line number, row by lower-case header) of a CSV file with a header."""
    for member, line, header, row in csv_table(source):
        yield member, line, dict(zip(header, row, strict=False))


def csv_table(source: InputFile) -> Iterator[tuple[str, int, list[str], list[str]]]:
    """(member, line number, lower-case header, cells) of a CSV file with a
    header: csv_rows without a dictionary a line, for bulk reads. The header
    is the same list for every line of a member."""
    for member, stream in source.members():
        header: list[str] | None = None
        for line, row in csv_records(source, member, stream):
            if header is None:
                header = [h.strip().lower() for h in row]
                if not any(c in header for c in _NUMBER_COLUMNS):
                    raise BadLineError(
                        member, line, ",".join(row)[:80], "no 'number' or 'phone' column"
                    )
                continue
            if not "".join(row).strip():  # every cell blank (faster than any() a line)
                continue
            yield member, line, header, row


def number_cell(row: dict[str, str]) -> str:
    for column in _NUMBER_COLUMNS:
        if column in row:
            return row[column]
    return ""


def _read_csv(
    source: InputFile, region: str, skipped: Skipped | None, plan: PlanFilter | None
) -> Iterator[Chunk]:
    batch: list[bytes] = []
    lines = 0
    for member, line, row in csv_rows(source):
        lines += 1
        cell = number_cell(row)
        try:
            phone = parse(cell, region)
            why = plan.refusal(phone.digits, phone.region) if plan is not None else None
        except InvalidNumberError as exc:
            why = exc.why
        if why is None:
            batch.append(phone.digits.encode())
        else:
            if skipped is None:
                raise BadLineError(member, line, cell, why) from None
            skipped.add(line, cell)
        if len(batch) >= 100_000:
            yield Chunk(b"\n".join(batch), len(batch), lines)
            batch, lines = [], 0
    if batch or lines:
        yield Chunk(b"\n".join(batch), len(batch), lines)
