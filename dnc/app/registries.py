"""Registries: full and change lists imported, and each snapshot's freshness.

A full list loads into a new snapshot table that no reader sees, in
chunked transactions; only when every line has been read and accepted is
the registry's pointer swapped (one short transaction), and the replaced
table dropped. A bad line (a malformed one, or a number outside the
registry's numbering plan), a list that is empty or shrinks the registry
by more than its ``max_shrink``, a crash or Ctrl-C before the swap leaves
the previous snapshot exactly as it was; the half-loaded table is removed
then, or by the next import of that registry if the process died.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

from dnc.app.context import App
from dnc.audit import AuditRecord
from dnc.clock import day_not_after_today
from dnc.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    RegistryShrinkError,
    StorageError,
)
from dnc.importing import InputFile, PlanFilter, Skipped, read_changes, read_numbers
from dnc.registries import (
    FORMATS,
    NOT_LISTS,
    REASSIGNED_FORMAT,
    WIRELESS_FORMAT,
    RegistryDefinition,
    RegistryStatus,
    freshness,
)
from dnc.snapshots import Snapshot
from dnc.storage import (
    audit_repo,
    movement_repo,
    reassigned_repo,
    registry_bulk,
    registry_repo,
    snapshot_repo,
    wireless_repo,
)
from dnc.storage.store import Store
from dnc.storage.uow import UnitOfWork

Progress = Callable[[int, int], None]
"""Called with (bytes of the file read so far, file size in bytes)."""


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


def definition_for(definitions: Sequence[RegistryDefinition], name: str) -> RegistryDefinition:
    for definition in definitions:
        if definition.name == name:
            return definition
    known = ", ".join(d.name for d in definitions) or "none configured"
    raise NotFoundError(f"unknown registry {name!r} (known: {known})")


@dataclass(frozen=True, slots=True)
class _Import:
    """One import under way: what is read, how, and for whom."""

    definition: RegistryDefinition
    source: InputFile
    fmt: str
    as_of: date
    as_of_source: str
    region: str
    skipped: Skipped | None
    plan: PlanFilter
    actor: str
    now: datetime
    started: float


def import_registry(
    app: App,
    path: str | Path,
    registry: str,
    *,
    fmt: str | None,
    as_of: date | None,
    changes: bool,
    skip_invalid: bool,
    allow_shrink: bool,
    actor: str | None,
    progress: Progress | None,
    encoding: str | None = None,
) -> ImportSummary:
    """Replace a registry's snapshot with a full list, or apply a change list.

    ``as_of`` defaults to the file's own date; one after today (UTC) is
    refused (TimeRangeError). A bad line, or a number outside the registry's
    numbering plan, raises BadLineError and changes nothing, unless
    ``skip_invalid``. A full list that is empty, or smaller than the current
    snapshot by more than the registry's ``max_shrink``, raises
    RegistryShrinkError and changes nothing (the latter unless ``allow_shrink``).
    """
    definition = definition_for(app.config.registries, registry)
    now = app.now()
    region = app.config.default_region
    # +1 numbers are held to the registry's plan by the area-code table's country.
    nanp = {code: entry.country for code, entry in app.rulebook.area_codes.items()}
    fmt = fmt or definition.format
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if fmt in NOT_LISTS or definition.format in NOT_LISTS:
        return _import_not_list(app, definition, fmt, path, as_of, changes, skip_invalid,
                                  allow_shrink, actor)  # fmt: skip
    source = InputFile(path, encoding)
    as_of_source = "given" if as_of is not None else "file date"
    when = as_of if as_of is not None else source.file_date()
    day_not_after_today(when, now, f"{source.name}: as-of date ({as_of_source})", _FUTURE_AS_OF)
    if len(definition.regions) == 1:
        # A registry of one country reads national numbers in that country's way.
        region = next(iter(definition.regions))
    job = _Import(
        definition=definition,
        source=source,
        fmt=fmt,
        as_of=when,
        as_of_source=as_of_source,
        region=region,
        skipped=Skipped() if skip_invalid else None,
        plan=PlanFilter(definition.name, definition.numbering_plan, nanp),
        actor=app.actor(actor),
        now=now,
        started=time.perf_counter(),
    )
    if changes:
        return _apply_changes(app.store, job)
    return _replace(app.store, job, allow_shrink, progress)


def _import_not_list(
    app: App,
    definition: RegistryDefinition,
    fmt: str,
    path: str | Path,
    as_of: date | None,
    changes: bool,
    skip_invalid: bool,
    allow_shrink: bool,
    actor: str | None,
) -> ImportSummary:
    if fmt != definition.format:
        raise InputError(
            f"registry {definition.name} is of format {definition.format}: "
            f"a {fmt} file cannot be imported into it"
        )
    # Imported here: those modules build on this one's ImportSummary.
    from dnc.app.reassigned import import_disconnects
    from dnc.app.wireless import import_lines

    importer = import_lines if fmt == WIRELESS_FORMAT else import_disconnects
    return importer(
        app,
        definition,
        path,
        as_of=as_of,
        changes=changes,
        skip_invalid=skip_invalid,
        allow_shrink=allow_shrink,
        actor=actor,
    )


_FUTURE_AS_OF = (
    "a snapshot dated ahead would count as fresh for longer than it is; "
    "give the list's own date with --as-of"
)


def _replace(
    store: Store, job: _Import, allow_shrink: bool, progress: Progress | None
) -> ImportSummary:
    definition = job.definition
    with store.unit(write=True) as uow:
        known = registry_repo.registry_id(uow.connection, definition.name, create=False, at=job.now)
        reg_id = registry_repo.registry_id(uow.connection, definition.name, create=True, at=job.now)
        if reg_id is None:
            raise RuntimeError(f"registry {definition.name} could not be created")
        dropped = [
            file_id
            for leftover in registry_repo.abandoned(uow.connection, reg_id)
            for file_id in registry_repo.forget(uow.connection, leftover)
        ]
        snapshot_id = registry_repo.start_snapshot(
            uow.connection,
            reg_id,
            as_of=job.as_of,
            as_of_source=job.as_of_source,
            file=job.source.name,
            actor=job.actor,
            at=job.now,
        )
        file_id = snapshot_repo.new_file(uow.connection, snapshot_id, definition.name, job.now)
        uow.commit()
    store.snapshots.forget(set(dropped))
    diff: registry_bulk.Diff | None = None
    try:
        read, snapshot = _load(store, job, file_id, progress)
        size = snapshot.count
        with store.unit() as uow:
            before = registry_repo.current(uow.connection, definition.name)
        _guard_shrink(job, before, size, allow_shrink)
        if before is not None:
            diff = registry_bulk.Diff(store, store.snapshots.get(before.file_id), snapshot)
        with store.unit(write=True) as uow:
            old = registry_repo.current(uow.connection, definition.name)
            # Before the swap: a refused list leaves the previous snapshot answering.
            _guard_shrink(job, old, size, allow_shrink)
            if old is not None and (diff is None or diff.old_file != old.file_id):
                # Another import swapped in meanwhile: compare with what is current now.
                if diff is not None:
                    diff.close()
                diff = registry_bulk.Diff(store, store.snapshots.get(old.file_id), snapshot)
            added, removed = _movements(uow, job, reg_id, snapshot_id, old, size, diff)
            snapshot_repo.point(uow.connection, snapshot_id, file_id)
            registry_repo.swap(uow.connection, reg_id, snapshot_id, size=size, at=job.now)
            summary = _summary(job, "full", read, added, removed, size)
            _audit(uow, summary, job.actor, job.now, old)
            uow.commit()
    except BaseException:
        store.snapshots.forget({file_id})
        with store.unit(write=True) as uow:
            registry_repo.forget(uow.connection, snapshot_id)
            if known is None:
                # A refused first import leaves no trace, not an empty registry.
                registry_repo.forget_registry(uow.connection, reg_id)
            uow.commit()
        raise
    finally:
        if diff is not None:
            diff.close()
    if old is not None:
        _forget_replaced(store, reg_id, old)
    return summary


def _forget_replaced(store: Store, registry_id: int, old: registry_repo.SnapshotRecord) -> None:
    """Drop what earlier imports replaced, keeping the file ``old`` answered
    from until this import: a host that read the old pointer a moment ago
    can still fetch it (dropped at once, its check would fail)."""
    with store.unit(write=True) as uow:
        dropped = snapshot_repo.forget_files(uow.connection, old.id, keep={old.file_id or 0})
        for earlier in registry_repo.replaced(uow.connection, registry_id):
            if earlier != old.id:
                dropped += registry_repo.forget(uow.connection, earlier)
        uow.commit()
    store.snapshots.forget(set(dropped))


def _load(
    store: Store, job: _Import, file_id: int, progress: Progress | None
) -> tuple[int, Snapshot]:
    """Read the whole file into the new snapshot's file: (numbers read, the file)."""
    read = 0
    load = registry_bulk.FileLoad(store, file_id, job.definition.name)
    try:
        for chunk in read_numbers(job.source, job.fmt, job.region, job.skipped, job.plan):
            load.add(chunk.digits, chunk.keys)
            read += chunk.count
            if progress is not None:
                progress(job.source.position(), job.source.size)
        return read, load.finish()
    except BaseException:
        load.abort()
        raise


def _guard_shrink(
    job: _Import, old: registry_repo.SnapshotRecord | None, size: int, allow_shrink: bool
) -> None:
    """Refuse an empty full list always, and one that shrinks the registry by more
    than its ``max_shrink`` unless allowed: real registries grow, and the usual
    cause is a truncated download."""
    name = job.definition.name
    if size == 0:
        raise RegistryShrinkError(
            f"{job.source.name}: no numbers for registry {name}: an empty full list is "
            "never imported (a registry is not emptied by an import)"
        )
    if old is None or old.size == 0 or allow_shrink:
        return
    share = (old.size - size) / old.size
    limit = job.definition.max_shrink
    if share > limit:
        raise RegistryShrinkError(
            f"{job.source.name}: {size:,} numbers would shrink registry {name} by "
            f"{share:.1%} from {old.size:,} (limit {limit:.0%}); a truncated download? "
            "If the list is right, import it again allowing the shrink (--allow-shrink)"
        )


def _movements(
    uow: UnitOfWork,
    job: _Import,
    registry_id: int,
    snapshot_id: int,
    old: registry_repo.SnapshotRecord | None,
    size: int,
    diff: registry_bulk.Diff | None,
) -> tuple[int, int]:
    """Record the swap and the numbers that entered and left with it, in the
    swap's transaction: (added, removed). A registry's first snapshot is its
    baseline: no movement rows (see docs/registries.md)."""
    kind = movement_repo.BASELINE if old is None else movement_repo.FULL
    swap_id = movement_repo.start_swap(
        uow.connection,
        registry_id,
        snapshot_id,
        kind=kind,
        as_of=job.as_of,
        at=job.now,
        actor=job.actor,
    )
    if old is None or diff is None:
        return size, 0
    return movement_repo.record_diff(
        uow.connection,
        swap_id,
        registry_bulk.spooled(diff.entered),
        registry_bulk.spooled(diff.left),
    )


def _apply_changes(store: Store, job: _Import) -> ImportSummary:
    definition = job.definition
    changes = read_changes(
        job.source, job.fmt, job.region, definition.changes, job.skipped, job.plan
    )
    with store.unit(write=True) as uow:
        snapshot = registry_repo.current(uow.connection, definition.name)
        reg_id = registry_repo.registry_id(
            uow.connection, definition.name, create=False, at=job.now
        )
        if snapshot is None or reg_id is None:
            raise InputError(
                f"registry {definition.name} has no snapshot to apply changes to: "
                "import a full list first"
            )
        if job.as_of < snapshot.as_of:
            raise InputError(
                f"{job.source.name}: change list as of {job.as_of.isoformat()} is older than "
                f"the {definition.name} snapshot as of {snapshot.as_of.isoformat()}"
            )
        file_id = snapshot_repo.new_file(uow.connection, snapshot.id, definition.name, job.now)
        uow.commit()
    # The new file is written and stored with no transaction open: it is
    # invisible until the snapshot points at it.
    adds = np.fromiter(changes.add, dtype=np.uint64, count=len(changes.add))
    deletes = np.fromiter(changes.delete, dtype=np.uint64, count=len(changes.delete))
    try:
        before = store.snapshots.get(snapshot.file_id)
        after, added, removed = registry_bulk.changed(store, before, file_id, adds, deletes)
        with store.unit(write=True) as uow:
            now = registry_repo.current(uow.connection, definition.name)
            if now is None or (now.id, now.file_id) != (snapshot.id, snapshot.file_id):
                raise ConflictError(
                    f"registry {definition.name} changed while {job.source.name} was applied "
                    "(another import): apply it again"
                )
            swap_id = movement_repo.start_swap(
                uow.connection,
                reg_id,
                snapshot.id,
                kind=movement_repo.CHANGE,
                as_of=job.as_of,
                at=job.now,
                actor=job.actor,
            )
            # Read against the snapshot before the change: what is already listed
            # did not enter, what is not listed did not leave.
            movement_repo.record_changes(uow.connection, swap_id, before, adds, deletes)
            snapshot_repo.point(uow.connection, snapshot.id, file_id)
            size = after.count
            registry_repo.record_changes(
                uow.connection,
                snapshot.id,
                size=size,
                as_of=job.as_of,
                as_of_source=job.as_of_source,
                at=job.now,
            )
            read = len(changes.add) + len(changes.delete)
            summary = _summary(job, "change", read, added, removed, size)
            _audit(uow, summary, job.actor, job.now, snapshot)
            # The file before this one stays a while: a host that read the old
            # pointer a moment ago can still fetch it.
            dropped = snapshot_repo.forget_files(
                uow.connection, snapshot.id, keep={file_id, snapshot.file_id or 0}
            )
            uow.commit()
    except BaseException:
        store.snapshots.forget({file_id})
        with store.unit(write=True) as uow:
            snapshot_repo.forget_file_ids(uow.connection, [file_id])
            uow.commit()
        raise
    store.snapshots.forget(set(dropped))
    return summary


def _summary(
    job: _Import,
    kind: str,
    read: int,
    added: int | None,
    removed: int | None,
    size: int,
) -> ImportSummary:
    return ImportSummary(
        registry=job.definition.name,
        kind=kind,
        file=job.source.name,
        as_of=job.as_of,
        as_of_source=job.as_of_source,
        read=read,
        added=added,
        removed=removed,
        skipped=job.skipped.count if job.skipped else 0,
        first_skipped=tuple(job.skipped.first) if job.skipped else (),
        size=size,
        seconds=time.perf_counter() - job.started,
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


def files_ready(app: App) -> list[str]:
    """Each current snapshot whose file this process cannot answer from yet:
    being fetched (the fetch goes on), or unusable (SnapshotError)."""
    with app.store.unit() as uow:
        current = registry_repo.all_current(uow.connection)
    problems = []
    for name, record in current.items():
        try:
            app.store.snapshots.get(record.file_id, wait=0)
        except StorageError as exc:
            problems.append(f"registry {name}: {exc}")
    return problems


def status(app: App, at: datetime | None) -> list[RegistryStatus]:
    """Each configured registry's snapshot: as-of date, size, age, days left."""
    when = app.at(at)
    reassigned = [d.name for d in app.config.registries if d.format == REASSIGNED_FORMAT]
    wireless = [d.name for d in app.config.registries if d.format == WIRELESS_FORMAT]
    with app.store.unit() as uow:
        current = registry_repo.all_current(uow.connection)
        disconnects = reassigned_repo.latest(uow.connection, reassigned)
        # Line-type data shows as its source's imports, as disconnects do.
        disconnects.update(wireless_repo.latest(uow.connection, wireless))
    found = []
    for definition in app.config.registries:
        if definition.name in disconnects:
            got = disconnects[definition.name]
            found.append(
                RegistryStatus(
                    definition,
                    freshness(got.as_of, definition.max_age_days, when),
                    size=got.size,
                    as_of_source=got.as_of_source,
                    file=got.file,
                    imported_at=got.imported_at,
                    changes_applied=got.changes_applied,
                )
            )
            continue
        record = current.get(definition.name)
        fresh = freshness(record.as_of if record else None, definition.max_age_days, when)
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


def freshness_warnings(app: App, at: datetime | None) -> dict[str, Any]:
    """The registry-freshness job: every required registry within its warning
    days of going stale (or with no snapshot), by name."""
    warn_days = app.config.scheduler.freshness_warn_days
    warnings = []
    for found in status(app, at):
        name, days_left = found.definition.name, found.freshness.days_left
        if not found.definition.required:
            continue
        if days_left is None or days_left <= warn_days:
            left = "no snapshot" if days_left is None else f"{days_left} days left"
            warnings.append(f"{name}: {left}")
    return {"warnings": warnings, "warn_days": warn_days}
