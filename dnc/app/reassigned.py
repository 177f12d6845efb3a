"""Reassigned-numbers data: importing permanent disconnects (``--format reassigned``).

A full list replaces the registry's disconnects, a change list (``--changes``)
adds to them; either way in one write transaction, so a bad line, an empty
list or one that shrinks the set by more than the registry's ``max_shrink``
leaves the previous data exactly as it was.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from sqlalchemy.engine import Connection

from dnc.app.context import App
from dnc.app.registries import ImportSummary
from dnc.audit import AuditRecord
from dnc.clock import day_not_after_today
from dnc.errors import InputError, RegistryShrinkError
from dnc.importing import InputFile, PlanFilter, Skipped
from dnc.importing.reassigned import read_disconnects
from dnc.reassigned import Disconnect
from dnc.registries import RegistryDefinition
from dnc.storage import audit_repo, reassigned_repo

FORMAT = "reassigned"


class Opened(NamedTuple):
    """A file for a source that is not a do-not-call list, with what its lines are read by."""

    file: InputFile
    as_of: date
    as_of_source: str
    plan: PlanFilter
    region: str


def opened(
    app: App, definition: RegistryDefinition, path: str | Path, as_of: date | None, now: datetime
) -> Opened:
    """The file, its as-of date (given, else the file's; never after today),
    its numbering plan and the region its national numbers are read in."""
    source = InputFile(path)
    as_of_source = "given" if as_of is not None else "file date"
    when = as_of if as_of is not None else source.file_date()
    day_not_after_today(
        when,
        now,
        f"{source.name}: as-of date ({as_of_source})",
        "a list dated ahead would count as fresh for longer than it is; "
        "give the list's own date with --as-of",
    )
    nanp = {code: entry.country for code, entry in app.rulebook.area_codes.items()}
    plan = PlanFilter(definition.name, definition.numbering_plan, nanp)
    regions = definition.numbering_plan.regions
    region = next(iter(regions)) if len(regions) == 1 else app.config.default_region
    return Opened(source, when, as_of_source, plan, region)


def import_disconnects(
    app: App,
    definition: RegistryDefinition,
    path: str | Path,
    *,
    as_of: date | None,
    changes: bool,
    skip_invalid: bool,
    allow_shrink: bool,
    actor: str | None,
) -> ImportSummary:
    """Import a ``number,disconnected_on`` CSV into a reassigned-numbers registry."""
    started = time.perf_counter()
    now = app.now()
    who = app.actor(actor)
    name = definition.name
    source, when, as_of_source, plan, region = opened(app, definition, path, as_of, now)
    skipped = Skipped() if skip_invalid else None
    kind = "change" if changes else "full"
    with app.store.unit(write=True) as uow:
        conn = uow.connection
        before = reassigned_repo.size(conn, name)
        if changes and not reassigned_repo.latest(conn, [name]):
            raise InputError(
                f"registry {name} has no disconnects to add changes to: import a full list first"
            )
        import_id = reassigned_repo.start_import(
            conn,
            {
                "registry_name": name,
                "kind": kind,
                "as_of": when,
                "as_of_source": as_of_source,
                "file": source.name,
                "read": 0,
                "added": 0,
                "size": 0,
                "imported_at": now,
                "actor": who,
            },
        )
        if not changes:
            reassigned_repo.clear(conn, name)
        read = 0
        for chunk in read_disconnects(source, region, plan, skipped, when):
            reassigned_repo.add(conn, name, import_id, chunk)
            read += len(chunk)
        size = reassigned_repo.size(conn, name)
        if not changes:
            guard_shrink(definition, source.name, before, size, allow_shrink)
        added = size - before if changes else size
        reassigned_repo.finish_import(conn, import_id, read=read, added=added, size=size)
        summary = audited_summary(
            conn,
            name=name,
            kind=kind,
            file=source.name,
            as_of=when,
            as_of_source=as_of_source,
            read=read,
            added=added,
            changes=changes,
            skipped=skipped,
            size=size,
            before=before,
            started=started,
            now=now,
            actor=who,
        )
        uow.commit()
    return summary


def audited_summary(
    conn: Connection,
    *,
    name: str,
    kind: str,
    file: str,
    as_of: date,
    as_of_source: str,
    read: int,
    added: int,
    changes: bool,
    skipped: Skipped | None,
    size: int,
    before: int,
    started: float,
    now: datetime,
    actor: str,
) -> ImportSummary:
    """The summary of an import into a source that is not a do-not-call list
    (disconnects, line types), with its audit record in the import's transaction."""
    summary = ImportSummary(
        registry=name,
        kind=kind,
        file=file,
        as_of=as_of,
        as_of_source=as_of_source,
        read=read,
        added=added,
        removed=0 if changes else None,
        skipped=skipped.count if skipped else 0,
        first_skipped=tuple(skipped.first) if skipped else (),
        size=size,
        seconds=time.perf_counter() - started,
    )
    audit_repo.append(
        conn,
        AuditRecord(
            at=now,
            actor=actor,
            action=f"registry_import_{kind}",
            subject=f"registry:{name}",
            before={"size": before},
            after={
                "file": file,
                "as_of": as_of.isoformat(),
                "as_of_source": as_of_source,
                "read": read,
                "added": added,
                "skipped": summary.skipped,
                "size": size,
            },
            reason=summary.line(),
        ),
    )
    return summary


def guard_shrink(
    definition: RegistryDefinition,
    file: str,
    before: int,
    size: int,
    allow_shrink: bool,
    what: str = "disconnects",
) -> None:
    """As for every registry: never emptied by an import, and a full list much
    smaller than the one it replaces is more likely truncated than true."""
    name = definition.name
    if size == 0:
        raise RegistryShrinkError(
            f"{file}: no {what} for registry {name}: an empty full list is never imported"
        )
    share = (before - size) / before if before else 0.0
    if share > definition.max_shrink and not allow_shrink:
        raise RegistryShrinkError(
            f"{file}: {size:,} {what} would shrink registry {name} by {share:.1%} "
            f"from {before:,} (limit {definition.max_shrink:.0%}); a truncated download? "
            "If the list is right, import it again allowing the shrink (--allow-shrink)"
        )


def disconnects(app: App, number: int) -> list[Disconnect]:
    with app.store.unit() as uow:
        return reassigned_repo.for_number(uow.connection, number)


def status_of(app: App, names: list[str]) -> dict[str, reassigned_repo.ImportRecord]:
    with app.store.unit() as uow:
        return reassigned_repo.latest(uow.connection, names)
