"""What a number's timeline needs beyond its audit records: registry hits, queue rows."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from dnc.audit import AuditRecord
from dnc.prefixes import prefixes_of
from dnc.storage import audit_repo, queue_repo, registry_repo
from dnc.storage.snapshot_files import SnapshotFiles
from dnc.storage.types import as_utc
from dnc.timeline import QueueFact, RegistryListing, parse_reasons


def registry_listings(conn: Connection, number: int, files: SnapshotFiles) -> list[RegistryListing]:
    """The registries whose current snapshot lists ``number``, with that snapshot."""
    found = []
    for record in registry_repo.all_current(conn).values():
        if files.get(record.file_id).contains(number):
            found.append(
                RegistryListing(
                    registry=record.registry,
                    as_of=record.as_of,
                    imported_at=record.imported_at,
                    actor=record.actor,
                    file=record.file,
                    changes_applied=record.changes_applied,
                )
            )
    return found


def queue_facts(conn: Connection, number: int) -> list[QueueFact]:
    rows = queue_repo.state_rows(conn, number)
    facts = []
    for row in rows:
        created = as_utc(row.created_at)
        # The scrub decides without touching the entry's row: its decision
        # is the entry's latest change when it came later.
        updated = max(
            (t for t in (as_utc(row.updated_at), as_utc(row.decided_at), created) if t),
            default=None,
        )
        if created is None or updated is None:
            continue
        facts.append(
            QueueFact(
                campaign=row.campaign,
                status=row.status,
                created_at=created,
                updated_at=updated,
                reasons=parse_reasons(row.reasons),
                suppressed_at=as_utc(row.suppressed_at),
                not_before=as_utc(row.not_before),
                claimed_at=as_utc(row.claimed_at),
                claimed_by=row.claimed_by,
                lead_id=row.lead_id,
            )
        )
    return facts


def audit_records(conn: Connection, number: int) -> list[AuditRecord]:
    """The number's audit records and those of every prefix block covering it, in id order."""
    found = [r for p in prefixes_of(number) for r in audit_repo.for_number(conn, f"+{p}")]
    return sorted(found, key=lambda r: r.id or 0)
