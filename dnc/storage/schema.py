"""The database schema. Alembic migrations in ``migrations/`` create it.

Numbers are stored as their E.164 digits in a BIGINT (``number``): eight
bytes, and integer comparison, which matters at registry scale.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dnc.storage.types import UTCDateTime


class Base(DeclarativeBase):
    pass


class ListEntryRow(Base):
    """One number on the internal list (campaign NULL) or on a campaign list.

    Removal keeps the row (removed_at, removed_by, removed_reason) so the
    history of a number can always be told.
    """

    __tablename__ = "list_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[int] = mapped_column(BigInteger, nullable=False)
    campaign: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(20), nullable=False)
    channel: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by: Mapped[str | None] = mapped_column(String(200))
    removed_reason: Mapped[str | None] = mapped_column(Text)
    # A client's list (campaign None): every campaign of that client.
    client: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (
        # The hot path asks only for live entries of one number.
        Index(
            "ix_list_entry_live_number",
            "number",
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
        Index("ix_list_entry_campaign", "campaign", "number"),
    )


class AuditRow(Base):
    """Append-only record of every change (triggers refuse UPDATE and DELETE)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(50), nullable=False)
    number: Mapped[str | None] = mapped_column(String(20))
    subject: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    hash: Mapped[str] = mapped_column(String(64), nullable=False)

    __table_args__ = (Index("ix_audit_log_number", "number", "id"),)


class ConsentRow(Base):
    """A consent for one campaign or one brand; revocation keeps the row."""

    __tablename__ = "consent"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    campaign: Mapped[str | None] = mapped_column(String(100))
    brand: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evidence: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(200))
    revoked_reason: Mapped[str | None] = mapped_column(Text)


class PreferenceRow(Base):
    """A person's own calling wishes: one current row per number (history in the audit)."""

    __tablename__ = "preference"

    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    not_before: Mapped[str | None] = mapped_column(String(5))
    not_after: Mapped[str | None] = mapped_column(String(5))
    days: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)


class PrefixBlockRow(Base):
    """An E.164 prefix (digits in a BIGINT) blocked on the internal or a campaign list."""

    __tablename__ = "prefix_block"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prefix: Mapped[int] = mapped_column(BigInteger, nullable=False)
    campaign: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by: Mapped[str | None] = mapped_column(String(200))
    removed_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index(
            "ix_prefix_block_live",
            "prefix",
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
    )


class RegistryRow(Base):
    """A registry that has been imported at least once; points at its current snapshot."""

    __tablename__ = "registry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(63), nullable=False, unique=True)
    current_snapshot_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class RegistrySnapshotRow(Base):
    """One full list of a registry (plus change lists applied to it).

    Its numbers are a snapshot file (``file_id``: the current version, a
    new one per change list applied), held as parts in ``registry_file_part``
    and as a verified local copy on each host (dnc.storage.snapshot_files).
    """

    __tablename__ = "registry_snapshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registry_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    as_of_source: Mapped[str] = mapped_column(String(10), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    file: Mapped[str] = mapped_column(Text, nullable=False)
    changes_applied: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    file_id: Mapped[int | None] = mapped_column(Integer)


class RegistryFileRow(Base):
    """One snapshot file: what a host needs to fetch and check it (its manifest)."""

    __tablename__ = "registry_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    snapshot_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    label: Mapped[str] = mapped_column(String(63), nullable=False)
    count: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    file_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    part_bytes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    parts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    digest: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class RegistryFilePartRow(Base):
    """One piece of a snapshot file and its SHA-256 (dnc.snapshots.transfer)."""

    __tablename__ = "registry_file_part"

    file_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    digest: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class RegistrySwapRow(Base):
    """One change of a registry's snapshot: the first import (``baseline``), a
    full list that replaced the snapshot (``full``) or a change list applied
    to it (``change``), with how many numbers entered and left."""

    __tablename__ = "registry_swap"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registry_id: Mapped[int] = mapped_column(Integer, nullable=False)
    snapshot_id: Mapped[int] = mapped_column(Integer, nullable=False)
    kind: Mapped[str] = mapped_column(String(8), nullable=False)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    entered_count: Mapped[int] = mapped_column(BigInteger, nullable=False)
    left_count: Mapped[int] = mapped_column(BigInteger, nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (Index("ix_registry_swap_registry", "registry_id", "imported_at"),)


class RegistryMovementRow(Base):
    """A number that entered or left a registry at one swap (see 0017)."""

    __tablename__ = "registry_movement"

    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    swap_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    direction: Mapped[str] = mapped_column(String(7), nullable=False)

    __table_args__ = ({"sqlite_with_rowid": False},)


class CallOutcomeRow(Base):
    """One call attempt and how it ended (issue 4). Rows are never changed."""

    __tablename__ = "call_outcome"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[int] = mapped_column(BigInteger, nullable=False)
    campaign: Mapped[str] = mapped_column(String(100), nullable=False)
    outcome: Mapped[str] = mapped_column(String(20), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    refusals: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agent: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    # The hot path reads one number's rows, newest first per campaign.
    __table_args__ = (Index("ix_call_outcome_number", "number", "campaign", "at"),)


class QueueEntryRow(Base):
    """One number waiting in a campaign's dialer queue.

    status is the dialer's lifecycle only: ready, claimed (handed to a
    dialer), done (called). Whether a ready entry is due, held or
    suppressed is its disposition: its own row in ``queue_verdict`` if it
    has one, else its group's (``queue_group``). See dnc.storage.queue_repo.
    """

    __tablename__ = "queue_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign: Mapped[str] = mapped_column(String(100), nullable=False)
    number: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # Parsed once at load, so a scrub of a million entries never re-parses.
    region: Mapped[str] = mapped_column(String(3), nullable=False)
    zones: Mapped[str] = mapped_column(Text, nullable=False)
    lead_id: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    group_id: Mapped[int] = mapped_column(Integer, nullable=False)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        UniqueConstraint("campaign", "number", name="uq_queue_entry_campaign_number"),
        # A campaign best first, as claims and ``queue show`` read it.
        Index(
            "ix_queue_entry_due",
            "campaign",
            text("priority DESC"),
            "id",
            "status",
            "group_id",
            "number",
        ),
        Index(
            "ix_queue_entry_claimed",
            "campaign",
            "claimed_at",
            sqlite_where=text("status = 'claimed'"),
            postgresql_where=text("status = 'claimed'"),
        ),
        # Covers the scrub's walk in number order (dnc.storage.scrub_repo).
        Index("ix_queue_entry_number", "number", "status", "campaign", "group_id"),
    )


class QueueGroupRow(Base):
    """Queue entries whose disposition can only be the same, and that disposition.

    A number with no facts of its own is decided by the campaign, its
    region and time zones, its leading digits (``head``: the number //
    10^7, which for NANP is the country and area code) and the entry's
    location; the scrub decides each group once, for a ``sample`` member.
    action NULL: not decided yet (a group loaded since the last scrub); a
    member above ``checked_through`` joined it after it was decided.
    """

    __tablename__ = "queue_group"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    campaign: Mapped[str] = mapped_column(String(100), nullable=False)
    region: Mapped[str] = mapped_column(String(3), nullable=False)
    zones: Mapped[str] = mapped_column(Text, nullable=False)
    head: Mapped[int] = mapped_column(BigInteger, nullable=False)
    location: Mapped[str] = mapped_column(String(64), nullable=False)
    sample: Mapped[int] = mapped_column(BigInteger, nullable=False)
    action: Mapped[str | None] = mapped_column(String(12))
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reasons: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The highest entry id the deciding scrub could see: a member with a
    # higher id was loaded since and is unchecked (see 0007).
    checked_through: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint(
            "campaign", "region", "zones", "head", "location", name="uq_queue_group_key"
        ),
    )


class QueueReasonRow(Base):
    """One list of reasons (JSON), stored once however many verdicts give it."""

    __tablename__ = "queue_reason"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Unique by digest (SHA-256 of the JSON): a list of reasons can outgrow
    # what a b-tree key may hold.
    digest: Mapped[str] = mapped_column(String(64), nullable=False)
    reasons: Mapped[str] = mapped_column(Text, nullable=False)

    __table_args__ = (UniqueConstraint("digest", name="uq_queue_reason_digest"),)


class QueueVerdictRow(Base):
    """One entry's own disposition, over its group's: suppressed (final, the
    evidence of why), deferred, held or dialable."""

    __tablename__ = "queue_verdict"

    # Number first: the scrub walks the queue in number order (see 0006).
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    entry_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    action: Mapped[str] = mapped_column(String(12), nullable=False)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason_id: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        # What a scrub decides again: every verdict but a suppression.
        Index(
            "ix_queue_verdict_open",
            "entry_id",
            sqlite_where=text("action <> 'suppressed'"),
            postgresql_where=text("action <> 'suppressed'"),
        ),
        {"sqlite_with_rowid": False},
    )


class JobRunRow(Base):
    """One run of a scheduled or manual job: when, how it ended, what it did."""

    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(50), nullable=False)
    trigger: Mapped[str] = mapped_column(String(20), nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    counts: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    # Who runs it and when it was last seen alive (see 0011): a run whose
    # process is gone, or whose lease expired, is recorded ``abandoned``.
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("ix_job_run_job_started", "job", "started_at"),
        Index(
            "ix_job_run_running",
            "status",
            sqlite_where=text("status = 'running'"),
            postgresql_where=text("status = 'running'"),
        ),
    )


class JobLeaseRow(Base):
    """Who may run a job right now: one row per job name while it runs."""

    __tablename__ = "job_lease"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200), nullable=False)
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class StorageHealthRow(Base):
    """The last result of a health check of the store (``integrity``): while
    it says not ok, every check answers CHECK_FAILED."""

    __tablename__ = "storage_health"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    ok: Mapped[bool] = mapped_column(Boolean, nullable=False)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    detail: Mapped[str | None] = mapped_column(Text)


class ReplyRow(Base):
    """A reply received from a number (SMS, chat, e-mail, a call note) and how
    it was read: the evidence behind the effect it had, if any."""

    __tablename__ = "reply"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[int] = mapped_column(BigInteger, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    channel: Mapped[str] = mapped_column(String(10), nullable=False)
    campaign: Mapped[str | None] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    intent: Mapped[str] = mapped_column(String(20), nullable=False)
    language: Mapped[str | None] = mapped_column(String(8))
    per_se: Mapped[bool] = mapped_column(Boolean, nullable=False)
    matches: Mapped[str] = mapped_column(Text, nullable=False)
    effect: Mapped[str] = mapped_column(String(20), nullable=False)
    list_entry_id: Mapped[int | None] = mapped_column(Integer)
    outcome_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (
        Index("ix_reply_number", "number"),
        Index("ix_reply_received", "received_at"),
        Index("ix_reply_list_entry", "list_entry_id"),
    )


class ApiKeyRow(Base):
    """An HTTP API key: its name, scopes and SHA-256, never the secret.
    Revocation keeps the row, so the audit trail's actor stays explained."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    digest: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    scopes: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(String(200), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(200))


class IdempotencyRow(Base):
    """A client's Idempotency-Key and what its first request made: a retried
    request finds the row and gets the same entry back."""

    __tablename__ = "idempotency_key"

    owner: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request: Mapped[str] = mapped_column(String(64), nullable=False)
    list_entry_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)


class ReassignedNumberRow(Base):
    """A permanent disconnect of a number, from a reassigned-numbers source
    (the FCC Reassigned Numbers Database): consents given before it no longer count."""

    __tablename__ = "reassigned_number"

    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    disconnected_on: Mapped[date] = mapped_column(Date, primary_key=True)
    registry_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    import_id: Mapped[int] = mapped_column(Integer, nullable=False)


class ReassignedImportRow(Base):
    """One import of a reassigned-numbers file: a full list replaces the
    registry's disconnects, a change list adds to them."""

    __tablename__ = "reassigned_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registry_name: Mapped[str] = mapped_column(String(63), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    as_of_source: Mapped[str] = mapped_column(String(10), nullable=False)
    file: Mapped[str] = mapped_column(Text, nullable=False)
    read: Mapped[int] = mapped_column(BigInteger, nullable=False)
    added: Mapped[int] = mapped_column(BigInteger, nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (Index("ix_reassigned_import_registry", "registry_name", "id"),)


class LineTypeNumberRow(Base):
    """A number's line type from a wireless/ported-number source (dnc.wireless):
    wireless (listed, or ported to wireless) or wireline (ported to wireline)."""

    __tablename__ = "line_type_number"

    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    registry_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    wireless: Mapped[bool] = mapped_column(Boolean, nullable=False)
    import_id: Mapped[int] = mapped_column(Integer, nullable=False)


class LineTypeSourceRow(Base):
    """One row per wireless source with data: how recent the data is (the
    latest full list's date, or a later change list's). The check reads it
    beside the number's row, so it stays one row however many imports."""

    __tablename__ = "line_type_source"

    registry_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    data_as_of: Mapped[date] = mapped_column(Date, nullable=False)
    import_id: Mapped[int] = mapped_column(Integer, nullable=False)


class LineTypeImportRow(Base):
    """One import of a wireless/ported-number file: a full list replaces the
    source's line types, a change list adds to them or changes them."""

    __tablename__ = "line_type_import"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registry_name: Mapped[str] = mapped_column(String(63), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    as_of: Mapped[date] = mapped_column(Date, nullable=False)
    as_of_source: Mapped[str] = mapped_column(String(10), nullable=False)
    file: Mapped[str] = mapped_column(Text, nullable=False)
    read: Mapped[int] = mapped_column(BigInteger, nullable=False)
    added: Mapped[int] = mapped_column(BigInteger, nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)

    __table_args__ = (Index("ix_line_type_import_registry", "registry_name", "id"),)


class AbandonDayRow(Base):
    """Per campaign and UTC day: calls answered by a live person, and how many
    of them were abandoned (16 CFR 310.4(b)(4)(i)). Kept by the outcome write
    path, so a campaign's abandonment rate is a sum of at most 30 rows."""

    __tablename__ = "abandon_day"

    campaign: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    answered: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    abandoned: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class ConsentUseRow(Base):
    """A check or claim that relied on a consent: its evidence is kept for
    5 years after each use (UWG §7a)."""

    __tablename__ = "consent_use"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consent_id: Mapped[int] = mapped_column(Integer, nullable=False)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    via: Mapped[str] = mapped_column(String(10), nullable=False)
    campaign: Mapped[str | None] = mapped_column(String(100))

    __table_args__ = (Index("ix_consent_use_consent", "consent_id", "used_at"),)


class QueueDispositionRow(Base):
    """An entry's disposition as successive scrubs decided it: one row per
    change (action or reason codes), open (``until_run`` NULL) while the
    scrubs keep deciding the same. A report counts distinct entries from
    these; an entry that leaves the queue has its row closed by the next
    scrub. Closed rows go with the retention purge (see 0016)."""

    __tablename__ = "queue_disposition"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(Integer, nullable=False)
    campaign: Mapped[str] = mapped_column(String(100), nullable=False)
    action: Mapped[str] = mapped_column(String(12), nullable=False)
    # The reason codes, sorted and comma-joined: the details (times, names)
    # change nightly where the codes do not, and a change writes a row.
    codes: Mapped[str] = mapped_column(String(400), nullable=False)
    since_run: Mapped[int] = mapped_column(Integer, nullable=False)
    since_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    until_run: Mapped[int | None] = mapped_column(Integer)
    until_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index(
            "ix_queue_disposition_open",
            "entry_id",
            unique=True,
            sqlite_where=text("until_run IS NULL"),
            postgresql_where=text("until_run IS NULL"),
        ),
        Index("ix_queue_disposition_since", "since_run"),
        Index("ix_queue_disposition_until", "until_at"),
    )


def table(model: type[Base]) -> Table:
    """The Core table of a model, typed as such for Core statements."""
    return cast(Table, model.__table__)
