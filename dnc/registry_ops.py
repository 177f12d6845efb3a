"""Registry imports and status: the operations behind ``Service.import_registry``.

A full list loads into a new snapshot table that no reader sees, in
chunked transactions; only when every line has been read and accepted is
the registry's pointer swapped (one short transaction), and the replaced
table dropped. A bad line, a crash or Ctrl-C before the swap leaves the
previous snapshot exactly as it was; the half-loaded table is removed
then, or by the next import of that registry if the process died.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from dnc.audit import AuditRecord
from dnc.errors import InputError, NotFoundError
from dnc.importing import InputFile, Skipped, read_changes, read_numbers
from dnc.registries import FORMATS, Freshness, RegistryDefinition, freshness
from dnc.storage import audit_repo, registry_bulk, registry_repo
from dnc.storage.uow import UnitOfWork

Progress = Callable[[int, int], None]
"""Called with (bytes of the file read so far, file size in bytes)."""

DIFF_LIMIT = 20_000_000
"""Above this many numbers a full list's added/removed counts are not computed."""


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import did: the one-line summary a person reads at the end."""

    registry: str
    kind: str
    file: str
    as_of: date
    as_of_source: str
    read: int
    added: int | None
    removed: int | None
    skipped: int
    first_skipped: tuple[tuple[int, str], ...]
    size: int
    seconds: float

    def line(self) -> str:
        added = "?" if self.added is None else f"{self.added:,}"
        removed = "?" if self.removed is None else f"{self.removed:,}"
        text = (
            f"{self.registry}: {self.kind} list as of {self.as_of.isoformat()} "
            f"({self.as_of_source}): read {self.read:,}, added {added}, removed {removed}, "
            f"skipped {self.skipped:,}, {self.size:,} listed, {self.seconds:.1f} s"
        )
        if self.first_skipped:
            text += "; first skipped: " + ", ".join(
                f"line {n} {v!r}" for n, v in self.first_skipped
            )
        return text


@dataclass(frozen=True, slots=True)
class RegistryStatus:
    """One registry's definition and the freshness of its current snapshot."""

    definition: RegistryDefinition
    freshness: Freshness
    size: int | None = None
    as_of_source: str | None = None
    file: str | None = None
    imported_at: datetime | None = None
    changes_applied: int = 0
    extra: dict[str, str] = field(default_factory=dict)


def definition_for(definitions: Sequence[RegistryDefinition], name: str) -> RegistryDefinition:
    for definition in definitions:
        if definition.name == name:
            return definition
    known = ", ".join(d.name for d in definitions) or "none configured"
    raise NotFoundError(f"unknown registry {name!r} (known: {known})")


def import_registry(
    engine: Engine,
    definition: RegistryDefinition,
    path: str | Path,
    *,
    fmt: str | None,
    as_of: date | None,
    changes: bool,
    skip_invalid: bool,
    region: str,
    actor: str,
    now: datetime,
    progress: Progress | None = None,
) -> ImportSummary:
    fmt = fmt or definition.format
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    source = InputFile(path)
    as_of_source = "given" if as_of is not None else "file date"
    when = as_of if as_of is not None else source.file_date()
    if len(definition.regions) == 1:
        # A registry of one country reads national numbers in that country's way.
        region = next(iter(definition.regions))
    skipped = Skipped() if skip_invalid else None
    started = time.perf_counter()
    if changes:
        return _apply_changes(
            engine,
            definition,
            source,
            fmt,
            when,
            as_of_source,
            region,
            skipped,
            actor,
            now,
            started,
        )
    return _replace(
        engine,
        definition,
        source,
        fmt,
        when,
        as_of_source,
        region,
        skipped,
        actor,
        now,
        started,
        progress,
    )


def _replace(
    engine: Engine,
    definition: RegistryDefinition,
    source: InputFile,
    fmt: str,
    as_of: date,
    as_of_source: str,
    region: str,
    skipped: Skipped | None,
    actor: str,
    now: datetime,
    started: float,
    progress: Progress | None,
) -> ImportSummary:
    with UnitOfWork(engine, write=True) as uow:
        reg_id = registry_repo.registry_id(uow.connection, definition.name, create=True, at=now)
        if reg_id is None:
            raise RuntimeError(f"registry {definition.name} could not be created")
        for leftover in registry_repo.abandoned(uow.connection, reg_id):
            registry_repo.forget(uow.connection, leftover)
        snapshot_id = registry_repo.start_snapshot(
            uow.connection,
            reg_id,
            as_of=as_of,
            as_of_source=as_of_source,
            file=source.name,
            actor=actor,
            at=now,
        )
        registry_repo.create_numbers_table(uow.connection, snapshot_id, with_key=False)
        uow.commit()
    read = 0
    load = registry_bulk.loader(engine, snapshot_id)
    try:
        for chunk in read_numbers(source, fmt, region, skipped):
            load.add(chunk.digits)
            read += chunk.count
            if progress is not None:
                progress(source.position(), source.size)
        size = load.finish()
    except BaseException:
        load.abort()
        with UnitOfWork(engine, write=True) as uow:
            registry_repo.forget(uow.connection, snapshot_id)
            uow.commit()
        raise
    with UnitOfWork(engine, write=True) as uow:
        old = registry_repo.current(uow.connection, definition.name)
        added: int | None = size
        removed: int | None = 0
        if old is not None:
            if max(old.size, size) <= DIFF_LIMIT:
                shared = registry_repo.overlap(uow.connection, snapshot_id, old.id)
                added, removed = size - shared, old.size - shared
            else:
                added = removed = None
        registry_repo.swap(uow.connection, reg_id, snapshot_id, size=size, at=now)
        summary = _summary(
            definition,
            "full",
            source,
            as_of,
            as_of_source,
            read,
            added,
            removed,
            skipped,
            size,
            started,
        )
        _audit(uow, summary, actor, now, old)
        uow.commit()
    if old is not None:
        with UnitOfWork(engine, write=True) as uow:
            registry_repo.forget(uow.connection, old.id)
            uow.commit()
    return summary


def _apply_changes(
    engine: Engine,
    definition: RegistryDefinition,
    source: InputFile,
    fmt: str,
    as_of: date,
    as_of_source: str,
    region: str,
    skipped: Skipped | None,
    actor: str,
    now: datetime,
    started: float,
) -> ImportSummary:
    changes = read_changes(source, fmt, region, definition.changes, skipped)
    with UnitOfWork(engine, write=True) as uow:
        snapshot = registry_repo.current(uow.connection, definition.name)
        if snapshot is None:
            raise InputError(
                f"registry {definition.name} has no snapshot to apply changes to: "
                "import a full list first"
            )
        if as_of < snapshot.as_of:
            raise InputError(
                f"{source.name}: change list as of {as_of.isoformat()} is older than the "
                f"{definition.name} snapshot as of {snapshot.as_of.isoformat()}"
            )
        raw = uow.connection.connection.driver_connection
        added, removed = registry_bulk.apply_changes(
            raw, engine.dialect.name, snapshot.id, changes.add, changes.delete
        )
        size = snapshot.size + added - removed
        registry_repo.record_changes(
            uow.connection,
            snapshot.id,
            size=size,
            as_of=as_of,
            as_of_source=as_of_source,
            at=now,
        )
        read = len(changes.add) + len(changes.delete)
        summary = _summary(
            definition,
            "change",
            source,
            as_of,
            as_of_source,
            read,
            added,
            removed,
            skipped,
            size,
            started,
        )
        _audit(uow, summary, actor, now, snapshot)
        uow.commit()
    return summary


def _summary(
    definition: RegistryDefinition,
    kind: str,
    source: InputFile,
    as_of: date,
    as_of_source: str,
    read: int,
    added: int | None,
    removed: int | None,
    skipped: Skipped | None,
    size: int,
    started: float,
) -> ImportSummary:
    return ImportSummary(
        registry=definition.name,
        kind=kind,
        file=source.name,
        as_of=as_of,
        as_of_source=as_of_source,
        read=read,
        added=added,
        removed=removed,
        skipped=skipped.count if skipped else 0,
        first_skipped=tuple(skipped.first) if skipped else (),
        size=size,
        seconds=time.perf_counter() - started,
    )


def _audit(
    uow: UnitOfWork,
    summary: ImportSummary,
    actor: str,
    now: datetime,
    before: registry_repo.SnapshotRecord | None,
) -> None:
    audit_repo.append(
        uow.connection,
        AuditRecord(
            at=now,
            actor=actor,
            action=f"registry_import_{summary.kind}",
            subject=f"registry:{summary.registry}",
            before=_snapshot_dict(before) if before else None,
            after={
                "file": summary.file,
                "as_of": summary.as_of.isoformat(),
                "as_of_source": summary.as_of_source,
                "read": summary.read,
                "added": summary.added,
                "removed": summary.removed,
                "skipped": summary.skipped,
                "size": summary.size,
            },
            reason=summary.line(),
        ),
    )


def _snapshot_dict(record: registry_repo.SnapshotRecord) -> dict[str, object]:
    return {
        "snapshot": record.id,
        "as_of": record.as_of.isoformat(),
        "size": record.size,
        "file": record.file,
    }


def status(
    engine: Engine, definitions: Sequence[RegistryDefinition], at: datetime
) -> list[RegistryStatus]:
    with UnitOfWork(engine) as uow:
        current = registry_repo.all_current(uow.connection)
    found = []
    for definition in definitions:
        record = current.get(definition.name)
        fresh = freshness(record.as_of if record else None, definition.max_age_days, at)
        if record is None:
            found.append(RegistryStatus(definition, fresh))
            continue
        found.append(
            RegistryStatus(
                definition,
                fresh,
                size=record.size,
                as_of_source=record.as_of_source,
                file=record.file,
                imported_at=record.imported_at,
                changes_applied=record.changes_applied,
            )
        )
    return found
