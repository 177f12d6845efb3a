"""Wireless/ported-number data: importing line types (``--format wireless``).

A full list replaces the source's line types, a change list (``--changes``)
adds numbers or changes their line (a port); either way in one write
transaction, so a bad line, an empty list or one that shrinks the set by
more than the source's ``max_shrink`` leaves the previous data as it was.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from dnc.app.context import App
from dnc.app.reassigned import audited_summary, guard_shrink, opened
from dnc.app.registries import ImportSummary
from dnc.errors import InputError
from dnc.importing import Skipped
from dnc.importing.wireless import read_lines
from dnc.registries import RegistryDefinition
from dnc.storage import reassigned_repo, wireless_repo


def import_lines(
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
    """Import a ``number[,line_type]`` CSV into a wireless source."""
    started = time.perf_counter()
    now = app.now()
    who = app.actor(actor)
    name = definition.name
    source, when, as_of_source, plan, region = opened(app, definition, path, as_of, now)
    skipped = Skipped() if skip_invalid else None
    kind = "change" if changes else "full"
    with app.store.unit(write=True) as uow:
        conn = uow.connection
        before = wireless_repo.size(conn, name)
        current = wireless_repo.data_as_of(conn, name)
        if changes and current is None:
            raise InputError(
                f"registry {name} has no line types to add changes to: import a full list first"
            )
        import_id = wireless_repo.start_import(
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
            wireless_repo.clear(conn, name)
        read = 0
        for chunk in read_lines(source, region, plan, skipped):
            wireless_repo.add(conn, name, import_id, chunk)
            read += len(chunk)
        size = wireless_repo.size(conn, name)
        if not changes:
            guard_shrink(definition, source.name, before, size, allow_shrink, "line types")
        added = size - before if changes else size
        data_as_of = max(when, current) if changes and current is not None else when
        wireless_repo.finish_import(
            conn, import_id, read=read, added=added, size=size, data_as_of=data_as_of
        )
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


def marks(app: App, number: int) -> dict[str, bool]:
    with app.store.unit() as uow:
        return wireless_repo.marks_of(uow.connection, number)


def status_of(app: App, names: list[str]) -> dict[str, reassigned_repo.ImportRecord]:
    with app.store.unit() as uow:
        return wireless_repo.latest(uow.connection, names)
