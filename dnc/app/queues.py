"""Dialer queues: leads in (one, or a CSV all or nothing), and the stored state out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dnc.app.context import App, choice
from dnc.errors import BadLineError, DncError, InputError
from dnc.importing.formats import cell_identifier, csv_table, number_cell
from dnc.importing.sources import InputFile, Progress
from dnc.inputs import INT32, WIDTHS, integer
from dnc.numbers import BulkParser, parse
from dnc.queue import Lead, QueueEntry, QueueStatus
from dnc.storage import queue_repo


@dataclass(frozen=True, slots=True)
class LoadSummary:
    """What a lead-list load did."""

    read: int
    added: int
    already_queued: int


def enqueue(
    app: App,
    campaign: str,
    number: str,
    *,
    lead_id: str | None,
    location: str | None,
    priority: int,
    at: datetime | None,
) -> bool:
    """Queue one number for a campaign; False if it was already queued. A
    ``location`` the rules cannot read raises LocationError."""
    if location is not None:
        app.rulebook.check_location(location)
    lead = Lead(app.parse(number), lead_id, location, priority)
    return _insert(app, campaign, [lead], app.at(at)) == 1


def load_queue(
    app: App,
    path: str | Path,
    campaign: str,
    at: datetime | None,
    encoding: str | None = None,
    progress: Progress | None = None,
) -> LoadSummary:
    """A CSV (``number`` column; optional lead_id, location, priority), all or
    nothing: every line is read and checked before anything is written, so a
    bad number, priority or location (one the rules cannot read, which would
    be held as CHECK_FAILED at every scrub) raises BadLineError naming the
    line, and nothing is queued.

    ``progress(done, total)`` counts in the file's bytes: reading it is the
    first READ_SHARE of the way, writing what was read the rest.
    """
    when = app.at(at)
    source = InputFile(path, encoding)
    parse_number = BulkParser(app.config.default_region)
    leads: list[queue_repo.LoadRow] = []
    locations: dict[str, str | None] = {}  # each distinct hint checked once
    lead_width = WIDTHS["lead_id"]
    columns: _Columns | None = None
    for member, line, header, row in csv_table(source):
        if columns is None or columns.header is not header:
            columns = _Columns(header)
        if len(row) < columns.width:
            # A short row: read its cells as csv_rows would (by name, last wins).
            cells = dict(zip(header, row, strict=False))
            text = number_cell(cells).strip()
            lead_id, location = _cell(cells, "lead_id"), _cell(cells, "location")
            priority_text = cells.get("priority")
        else:
            text = row[columns.number].strip()
            lead_id = row[columns.lead_id].strip() or None if columns.lead_id >= 0 else None
            location = row[columns.location].strip() or None if columns.location >= 0 else None
            priority_text = row[columns.priority] if columns.priority >= 0 else None
        try:
            number, region, zones = parse_number(text)
        except DncError as exc:
            raise BadLineError(member, line, text, getattr(exc, "why", str(exc))) from None
        priority = 0
        if priority_text is not None and priority_text.strip() not in ("", "0"):
            priority = _priority(member, line, priority_text.strip())
        if location is not None:
            if location not in locations:
                locations[location] = _location_problem(app, location)
            why = locations[location]
            if why is not None:
                raise BadLineError(member, line, location, why)
        # Clean printable ASCII that fits is what cell_identifier returns as it is.
        if lead_id is not None and not (
            len(lead_id) <= lead_width and lead_id.isascii() and lead_id.isprintable()
        ):
            lead_id = cell_identifier(member, line, lead_id, "lead_id")
        leads.append((number, region, zones, lead_id, location, priority))
        if progress is not None and len(leads) % 10_000 == 0:
            progress(int(source.position() * READ_SHARE), source.size)
    size = source.size
    done = int(size * READ_SHARE)

    def written(count: int) -> None:
        if progress is not None:
            progress(done + (size - done) * count // len(leads), size)

    added = _insert(app, campaign, leads, when, written)
    if progress is not None:
        progress(size, size)
    return LoadSummary(read=len(leads), added=added, already_queued=len(leads) - added)


# About the share of a load's time its reading and checking takes (the rest is
# writing), so the progress bar moves at an even pace through both.
READ_SHARE = 0.4


class _Columns:
    """Where a header puts the cells a load reads: the last column of a name,
    as csv_rows' dictionary would keep it; -1 where there is none."""

    def __init__(self, header: list[str]) -> None:
        self.header = header
        last = {name: i for i, name in enumerate(header)}
        numbers = [last[c] for c in ("number", "phone") if c in last]
        # number_cell takes the first of number and phone the row has.
        self.number = numbers[0]
        self.lead_id = last.get("lead_id", -1)
        self.location = last.get("location", -1)
        self.priority = last.get("priority", -1)
        # A row this long has every cell above; a shorter one is read by name.
        self.width = max(*numbers, self.lead_id, self.location, self.priority) + 1


def _priority(member: str, line: int, text: str) -> int:
    try:
        return integer(int(text), "priority", *INT32)
    except ValueError as exc:
        problem = str(exc) if isinstance(exc, InputError) else "priority is not a whole number"
        raise BadLineError(member, line, text[:80], problem) from None


def load_leads(
    app: App, campaign: str, leads: Sequence[Mapping[str, Any]], at: datetime | None
) -> LoadSummary:
    """Leads given as records (``number``; optional lead_id, location,
    priority), all or nothing like ``load_queue``: every lead is checked
    before anything is written; InputError names the first bad one by its
    position (from 0) and value."""
    when = app.at(at)
    checked: list[Lead] = []
    locations: dict[str, str | None] = {}
    for index, item in enumerate(leads):
        text = str(item.get("number") or "").strip()
        try:
            phone = parse(text, app.config.default_region)
        except DncError as exc:
            why = getattr(exc, "why", str(exc))
            raise InputError(f"leads[{index}]: {why}: {text!r}") from None
        raw_priority = item.get("priority")
        priority = 0 if raw_priority is None else raw_priority
        if not isinstance(priority, int) or isinstance(priority, bool):
            raise InputError(f"leads[{index}]: priority is not a whole number: {priority!r}")
        location = item.get("location") or None
        if location is not None:
            location = str(location)
            if location not in locations:
                locations[location] = _location_problem(app, location)
            why = locations[location]
            if why is not None:
                raise InputError(f"leads[{index}]: {why}")
        lead_id = item.get("lead_id")
        checked.append(Lead(phone, None if lead_id is None else str(lead_id), location, priority))
    added = _insert(app, campaign, checked, when)
    return LoadSummary(read=len(checked), added=added, already_queued=len(checked) - added)


def entries(
    app: App,
    *,
    campaign: str | None,
    status: str | None,
    number: str | None,
    limit: int | None,
) -> list[QueueEntry]:
    """Entries as last decided (``queue show``): what may be dialled *now* is
    what the export and ``next_calls`` decide."""
    statuses = [choice(QueueStatus, status, "queue status")] if status else None
    key = app.parse(number).key if number else None
    with app.store.unit() as uow:
        return queue_repo.entries(
            uow.connection, campaign, statuses=statuses, number=key, limit=limit
        )


def _insert(
    app: App,
    campaign: str,
    leads: Sequence[Lead] | Sequence[queue_repo.LoadRow],
    at: datetime,
    progress: Callable[[int], None] | None = None,
) -> int:
    if not campaign.strip():
        raise InputError("a queue needs a campaign name")
    with app.store.unit(write=True) as uow:
        added = queue_repo.insert_many(uow.connection, campaign, leads, at, progress)
        uow.commit()
    return added


def _location_problem(app: App, location: str) -> str | None:
    try:
        app.rulebook.check_location(location)
    except InputError as exc:
        return str(exc)
    return None


def _cell(row: dict[str, str], name: str) -> str | None:
    value = (row.get(name) or "").strip()
    return value or None
