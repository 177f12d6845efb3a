"""Prefix blocks, list import and export: the operations behind their Service methods."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.engine import Engine

from dnc.audit import AuditRecord
from dnc.errors import InvalidNumberError, NotFoundError
from dnc.importing import BadLineError, InputFile, Skipped
from dnc.importing.formats import csv_rows, number_cell
from dnc.lists import ListEntry, Source, entry_snapshot
from dnc.numbers import PhoneNumber, parse
from dnc.prefixes import PrefixBlock, number_ranges, parse_prefix, prefix_reasons, prefixes_of
from dnc.queue import reasons_to_json
from dnc.storage import audit_repo, lists_repo, prefix_repo, queue_repo
from dnc.storage.uow import UnitOfWork

EXPORT_COLUMNS = ("number", "added", "expires", "reason")


@dataclass(frozen=True, slots=True)
class ListImportSummary:
    list_name: str
    file: str
    read: int
    added: int
    already: int
    skipped: int
    first_skipped: tuple[tuple[int, str], ...]
    seconds: float

    def line(self) -> str:
        text = (
            f"{self.list_name}: read {self.read:,}, added {self.added:,}, "
            f"already listed {self.already:,}, skipped {self.skipped:,}, {self.seconds:.1f} s"
        )
        if self.first_skipped:
            text += "; first skipped: " + ", ".join(
                f"line {n} {v!r}" for n, v in self.first_skipped
            )
        return text


def block_snapshot(block: PrefixBlock) -> dict[str, Any]:
    return {
        "id": block.id,
        "prefix": block.prefix,
        "list": block.list_name,
        "created_at": block.created_at.isoformat(),
        "expires_at": block.expires_at.isoformat() if block.expires_at else None,
        "note": block.note,
        "removed_at": block.removed_at.isoformat() if block.removed_at else None,
    }


def add_prefix(
    engine: Engine,
    prefix: str,
    *,
    campaign: str | None,
    note: str | None,
    expires_at: datetime | None,
    actor: str,
    at: datetime,
    recorded: datetime,
) -> PrefixBlock:
    digits = parse_prefix(prefix)
    with UnitOfWork(engine, write=True) as uow:
        block = prefix_repo.insert_block(
            uow.connection,
            prefix=digits,
            campaign=campaign,
            created_at=at,
            recorded_at=recorded,
            actor=actor,
            note=note,
            expires_at=expires_at,
        )
        audit_repo.append(
            uow.connection,
            AuditRecord(
                at=recorded,
                actor=actor,
                action="prefix_add",
                number=block.prefix,
                subject=block.list_name,
                after=block_snapshot(block),
                reason=note,
            ),
        )
        if block.expires_at is None:
            # Out of every queue it must leave, in this same transaction, as
            # an opt-out: every queued number under the prefix, set-based.
            reasons = prefix_reasons([block], block.campaign, at)
            queue_repo.suppress_range(
                uow.connection,
                number_ranges(digits),
                block.campaign,
                reasons_to_json(reasons),
                recorded,
            )
        uow.commit()
    return block


def remove_prefix(
    engine: Engine, prefix: str, *, campaign: str | None, reason: str, actor: str, at: datetime
) -> list[PrefixBlock]:
    digits = parse_prefix(prefix)
    with UnitOfWork(engine, write=True) as uow:
        live = prefix_repo.blocks(
            uow.connection, prefix=digits, campaign=campaign, any_campaign=False
        )
        if not live:
            raise NotFoundError(f"prefix +{digits} is not blocked on that list")
        removed = prefix_repo.mark_removed(
            uow.connection, [b.id for b in live], at=at, actor=actor, reason=reason
        )
        audit_repo.append_changes(
            uow.connection,
            zip(live, removed, strict=True),
            action="prefix_remove",
            snapshot=block_snapshot,
            number=lambda block: block.prefix,
            subject=lambda block: block.list_name,
            at=at,
            actor=actor,
            reason=reason,
        )
        uow.commit()
    return removed


def prefix_blocks(
    engine: Engine, *, campaign: str | None, any_campaign: bool, include_removed: bool
) -> list[PrefixBlock]:
    with UnitOfWork(engine) as uow:
        return prefix_repo.blocks(
            uow.connection,
            campaign=campaign,
            any_campaign=any_campaign,
            live_only=not include_removed,
        )


def expiry_records(engine: Engine, phone: PhoneNumber, at: datetime) -> list[AuditRecord]:
    """Entries and prefix blocks of a number that have expired by ``at``.

    Expiry is not a change anybody makes, so the audit log has no row for
    it; history shows it as a record dated at the expiry.
    """
    with UnitOfWork(engine) as uow:
        entries = lists_repo.entries(uow.connection, number=phone.key)
        blocks = [
            b for p in prefixes_of(phone.key) for b in prefix_repo.blocks(uow.connection, prefix=p)
        ]
    found: list[AuditRecord] = []
    items: list[ListEntry | PrefixBlock] = [*entries, *blocks]
    for item in items:
        if item.expires_at is None or item.expires_at > at:
            continue
        what = f"prefix {item.prefix}" if isinstance(item, PrefixBlock) else "entry"
        found.append(
            AuditRecord(
                at=item.expires_at,
                actor="dnc",
                action="list_expire",
                number=phone.e164,
                subject=item.list_name,
                reason=f"{what} expired: no longer blocks (added by {item.actor})",
            )
        )
    return found


def import_list(
    engine: Engine,
    path: str | Path,
    *,
    campaign: str | None,
    list_name: str,
    region: str,
    skip_invalid: bool,
    actor: str,
    now: datetime,
) -> ListImportSummary:
    """Add every number of a generic CSV to one list; numbers already on it are kept as they are.

    All or nothing: the file is read and checked whole before one transaction
    writes it, so a bad line (without ``skip_invalid``) changes nothing.
    """
    started = time.perf_counter()
    source = InputFile(path)
    skipped = Skipped() if skip_invalid else None
    rows: dict[int, dict[str, Any]] = {}
    read = 0
    for member, line, row in csv_rows(source):
        read += 1
        try:
            key = parse(number_cell(row), region).key
            values = {
                "created_at": _when(row.get("added"), "added", now, end_of_day=False),
                "expires_at": _when(row.get("expires"), "expires", None, end_of_day=True),
                "note": (row.get("reason") or "").strip() or None,
            }
        except (InvalidNumberError, ValueError) as exc:
            why = exc.why if isinstance(exc, InvalidNumberError) else str(exc)
            if skipped is None:
                raise BadLineError(member, line, ",".join(row.values()), why) from None
            skipped.add(line, ",".join(row.values()))
            continue
        rows.setdefault(key, values)  # the first line of a repeated number wins
    recorded = now
    added = 0
    with UnitOfWork(engine, write=True) as uow:
        T = lists_repo.T
        query = select(T.c.number).where(T.c.removed_at.is_(None))
        query = query.where(
            T.c.campaign.is_(None) if campaign is None else T.c.campaign == campaign
        )
        present = set(uow.connection.execute(query).scalars())
        for key, values in rows.items():
            if key in present:
                continue
            entry = lists_repo.insert_entry(
                uow.connection,
                number=key,
                campaign=campaign,
                source=Source.IMPORT,
                channel=None,
                recorded_at=recorded,
                actor=actor,
                **values,
            )
            audit_repo.append(uow.connection, _import_audit(entry, recorded, actor, source.name))
            added += 1
        uow.commit()
    return ListImportSummary(
        list_name=list_name,
        file=source.name,
        read=read,
        added=added,
        already=len(rows) - added,
        skipped=skipped.count if skipped else 0,
        first_skipped=tuple(skipped.first) if skipped else (),
        seconds=time.perf_counter() - started,
    )


def _import_audit(entry: ListEntry, at: datetime, actor: str, file: str) -> AuditRecord:

    return AuditRecord(
        at=at,
        actor=actor,
        action="list_import",
        number=entry.number,
        subject=entry.list_name,
        after=entry_snapshot(entry),
        reason=f"imported from {file}" + (f": {entry.note}" if entry.note else ""),
    )


def _when(text: str | None, column: str, default: datetime | None, *, end_of_day: bool) -> Any:
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
        return value
    # A bare expiry date means "through that day", as on the command line.
    return datetime.combine(day + timedelta(days=1) if end_of_day else day, clock(0), tzinfo=UTC)


def export_list(engine: Engine, out: TextIO, *, campaign: str | None, at: datetime) -> int:
    """Write the numbers that block on one list at ``at`` as CSV a dialer can load.

    The layout is the generic import layout, so an export imports back as is.
    """
    with UnitOfWork(engine) as uow:
        entries = lists_repo.entries(uow.connection, campaign=campaign, any_campaign=False)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for entry in entries:
        if not entry.is_live(at):
            continue
        writer.writerow(
            [
                entry.number,
                entry.created_at.date().isoformat(),
                entry.expires_at.isoformat() if entry.expires_at else "",
                entry.note or "",
            ]
        )
        count += 1
    return count
