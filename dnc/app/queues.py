"""Dialer queues: leads in (one, or a CSV all or nothing), and the stored state out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dnc.app.context import App, choice
from dnc.errors import BadLineError, DncError, InputError
from dnc.importing.formats import cell_identifier, csv_rows, number_cell
from dnc.importing.sources import InputFile, Progress
from dnc.inputs import INT32, integer
from dnc.numbers import parse
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
    line, and nothing is queued."""
    when = app.at(at)
    source = InputFile(path, encoding)
    leads: list[Lead] = []
    locations: dict[str, str | None] = {}  # each distinct hint checked once
    for member, line, row in csv_rows(source):
        text = number_cell(row).strip()
        try:
            phone = parse(text, app.config.default_region)
        except DncError as exc:
            raise BadLineError(member, line, text, getattr(exc, "why", str(exc))) from None
        priority_text = (row.get("priority") or "0").strip() or "0"
        try:
            priority = integer(int(priority_text), "priority", *INT32)
        except ValueError as exc:
            problem = str(exc) if isinstance(exc, InputError) else "priority is not a whole number"
            raise BadLineError(member, line, priority_text[:80], problem) from None
        location = _cell(row, "location")
        if location is not None:
            if location not in locations:
                locations[location] = _location_problem(app, location)
            why = locations[location]
            if why is not None:
                raise BadLineError(member, line, location, why)
        lead_id = cell_identifier(member, line, _cell(row, "lead_id"), "lead_id")
        leads.append(Lead(phone, lead_id, location, priority))
        if progress is not None and len(leads) % 10_000 == 0:
            progress(source.position(), source.size)
    added = _insert(app, campaign, leads, when)
    if progress is not None:
        progress(source.size, source.size)
    return LoadSummary(read=len(leads), added=added, already_queued=len(leads) - added)


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


def _insert(app: App, campaign: str, leads: Sequence[Lead], at: datetime) -> int:
    if not campaign.strip():
        raise InputError("a queue needs a campaign name")
    with app.store.unit(write=True) as uow:
        added = queue_repo.insert_many(uow.connection, campaign, leads, at)
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
