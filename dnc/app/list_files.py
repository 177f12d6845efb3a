"""List files: a generic CSV added to a list, and a list written out as one."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any, TextIO

from dnc.app.context import App
from dnc.app.effects import record_block, record_entries
from dnc.errors import BadLineError, InputError, InvalidNumberError
from dnc.importing import InputFile, Skipped
from dnc.importing.formats import csv_rows, number_cell
from dnc.importing.sources import Progress
from dnc.inputs import day as inputs_day
from dnc.inputs import instant
from dnc.lists import NewEntry, Source, parse_list_name
from dnc.numbers import parse
from dnc.prefixes import parse_prefix
from dnc.storage import lists_repo, prefix_repo

EXPORT_COLUMNS = ("number", "added", "expires", "reason", "kind")


@dataclass(frozen=True, slots=True)
class ListImportSummary:
    """What a list import did: the one line a person reads at the end."""

    list_name: str
    file: str
    read: int
    added: int
    already: int
    skipped: int
    first_skipped: tuple[tuple[int, str], ...]
    seconds: float
    blocked: int = 0  # prefix blocks added (rows of kind prefix)

    def line(self) -> str:
        blocked = f", prefixes blocked {self.blocked:,}" if self.blocked else ""
        text = (
            f"{self.list_name}: read {self.read:,}, added {self.added:,}{blocked}, "
            f"already listed {self.already:,}, skipped {self.skipped:,}, {self.seconds:.1f} s"
        )
        if self.first_skipped:
            text += "; first skipped: " + ", ".join(
                f"line {n} {v!r}" for n, v in self.first_skipped
            )
        return text


@dataclass(frozen=True, slots=True)
class _Row:
    created_at: datetime
    expires_at: datetime | None
    note: str | None


def import_list(
    app: App,
    path: str | Path,
    *,
    list_name: str,
    skip_invalid: bool,
    actor: str | None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> ListImportSummary:
    """Add every number of a generic CSV (number/phone, added, expires, reason)
    to one list; numbers already on it are kept as they are. A row whose
    ``kind`` is ``prefix`` (as ``list export`` writes them) blocks the prefix
    in its number column, unless a block of it is already on the list.

    All or nothing: the file is read and checked whole before one transaction
    writes it, so a bad line (without ``skip_invalid``) changes nothing. Each
    added number goes the way an opt-out goes: audited, and out of the queues.
    """
    started = time.perf_counter()
    campaign = parse_list_name(list_name)
    who = app.actor(actor)
    now = app.now()
    source = InputFile(path, encoding)
    skipped = Skipped() if skip_invalid else None
    read, rows, prefixes = _read(source, app.config.default_region, now, skipped, progress)
    with app.store.unit(write=True) as uow:
        present = lists_repo.live_numbers(uow.connection, campaign)
        fresh = [(key, found) for key, found in rows.items() if key not in present]
        blocked = {
            int(b.prefix[1:])
            for b in prefix_repo.blocks(uow.connection, campaign=campaign, any_campaign=False)
        }
        new_blocks = [(d, found) for d, found in prefixes.items() if d not in blocked]
        for digits, found in new_blocks:  # a handful of rows: a block is rare and ranged
            record_block(
                uow.connection,
                digits,
                campaign=campaign,
                created_at=found.created_at,
                note=found.note,
                expires_at=found.expires_at,
                actor=who,
                recorded=now,
            )
        record_entries(
            uow.connection,
            [
                NewEntry(
                    key,
                    campaign,
                    Source.IMPORT,
                    None,
                    found.created_at,
                    who,
                    found.note,
                    found.expires_at,
                )
                for key, found in fresh
            ],
            action="list_import",
            recorded=now,
            reasons=[
                f"imported from {source.name}" + (f": {found.note}" if found.note else "")
                for _, found in fresh
            ],
        )
        uow.commit()
    if progress is not None:
        progress(source.size, source.size)
    added = len(fresh)
    return ListImportSummary(
        list_name=list_name,
        file=source.name,
        read=read,
        added=added,
        already=len(rows) - added + len(prefixes) - len(new_blocks),
        skipped=skipped.count if skipped else 0,
        first_skipped=tuple(skipped.first) if skipped else (),
        seconds=time.perf_counter() - started,
        blocked=len(new_blocks),
    )


def _read(
    source: InputFile,
    region: str,
    now: datetime,
    skipped: Skipped | None,
    progress: Progress | None,
) -> tuple[int, dict[int, _Row], dict[int, _Row]]:
    """Every line checked before anything is written: (lines read, rows by
    number, rows by prefix)."""
    rows: dict[int, _Row] = {}
    prefixes: dict[int, _Row] = {}
    read = 0
    for member, line, row in csv_rows(source):
        read += 1
        try:
            kind = (row.get("kind") or "entry").strip().lower() or "entry"
            if kind not in ("entry", "prefix"):
                raise ValueError(f"kind {kind!r} is not entry or prefix")
            key = (
                parse_prefix(number_cell(row))
                if kind == "prefix"
                else parse(number_cell(row), region).key
            )
            found = _Row(
                created_at=_when(row.get("added"), "added", now, end_of_day=False),
                expires_at=_when(row.get("expires"), "expires", None, end_of_day=True),
                note=(row.get("reason") or "").strip() or None,
            )
        except (InvalidNumberError, InputError, ValueError) as exc:
            why = exc.why if isinstance(exc, InvalidNumberError) else str(exc)
            if skipped is None:
                raise BadLineError(member, line, ",".join(row.values()), why) from None
            skipped.add(line, ",".join(row.values()))
            continue
        # The first line of a repeated number (or prefix) wins.
        (prefixes if kind == "prefix" else rows).setdefault(key, found)
        if progress is not None and read % 10_000 == 0:
            progress(source.position(), source.size)
    return read, rows, prefixes


def _when(text: str | None, column: str, default: Any, *, end_of_day: bool) -> Any:
    if text is None or not text.strip():
        return default
    text = text.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{column} {text!r} is not a date (YYYY-MM-DD)") from None
        if value.tzinfo is None:
            raise ValueError(f"{column} {text!r} has no UTC offset") from None
        return instant(value, column)
    day = inputs_day(day, column)
    # A bare expiry date means "through that day", as on the command line.
    return datetime.combine(day + timedelta(days=1) if end_of_day else day, clock(0), tzinfo=UTC)


def export_list(app: App, out: TextIO, *, list_name: str, at: datetime | None) -> int:
    """Write what blocks on one list at ``at`` as CSV a dialer can load: each
    number (``kind`` entry), then each prefix block (``kind`` prefix, the
    prefix in the number column); returns how many rows. The layout is the
    import layout, so an export imports back as is.

    ``added`` is a date; ``expires`` an instant in UTC to the second
    (``2027-07-01T00:00:00Z``), rounded up so a round trip never shortens a block.
    """
    campaign = parse_list_name(list_name)
    when = app.at(at)
    with app.store.unit() as uow:
        entries = lists_repo.entries(uow.connection, campaign=campaign, any_campaign=False)
        blocks = prefix_repo.blocks(uow.connection, campaign=campaign, any_campaign=False)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    rows = [(e.number, e.created_at, e.expires_at, e.note, "entry") for e in entries]
    rows += [(b.prefix, b.created_at, b.expires_at, b.note, "prefix") for b in blocks]
    live = [e.is_live(when) for e in entries] + [b.is_live(when) for b in blocks]
    rows = [row for row, on in zip(rows, live, strict=True) if on]
    for number, added, expires, note, kind in rows:
        writer.writerow([number, added.date().isoformat(), _instant(expires), note or "", kind])
    return len(rows)


def _instant(at: datetime | None) -> str:
    if at is None:
        return ""
    utc = at.astimezone(UTC)
    if utc.microsecond:
        utc = utc.replace(microsecond=0) + timedelta(seconds=1)
    return f"{utc:%Y-%m-%dT%H:%M:%S}Z"
