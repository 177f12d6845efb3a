"""The database schema. Alembic migrations in ``migrations/`` create it.

Numbers are stored as their E.164 digits in a BIGINT (``number``): eight
bytes, and integer comparison, which matters at registry scale.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import BigInteger, Index, Integer, String, Table, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from dnc.storage.types import UTCDateTime, utcnow


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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed_by: Mapped[str | None] = mapped_column(String(200))
    removed_reason: Mapped[str | None] = mapped_column(Text)

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
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), nullable=False)
    action: Mapped[str] = mapped_column(String(50), nullable=False)
    number: Mapped[str | None] = mapped_column(String(20))
    subject: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_audit_log_number", "number", "id"),)


def table(model: type[Base]) -> Table:
    """The Core table of a model, typed as such for Core statements."""
    return cast(Table, model.__table__)
