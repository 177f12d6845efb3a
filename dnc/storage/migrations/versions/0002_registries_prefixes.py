"""Registries, registry snapshots and prefix blocks (issue 3).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dnc.storage.types import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The hot path reads the current snapshots through this view; each import
# that swaps a snapshot recreates it in the same transaction as the pointer.
EMPTY_VIEW = (
    "CREATE VIEW registry_current AS "
    "SELECT CAST(NULL AS TEXT) AS registry, CAST(NULL AS BIGINT) AS number WHERE 1 = 0"
)


def upgrade() -> None:
    op.create_table(
        "prefix_block",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("prefix", sa.BigInteger, nullable=False),
        sa.Column("campaign", sa.String(100)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("removed_at", UTCDateTime),
        sa.Column("removed_by", sa.String(200)),
        sa.Column("removed_reason", sa.Text),
    )
    op.create_index(
        "ix_prefix_block_live",
        "prefix_block",
        ["prefix"],
        sqlite_where=sa.text("removed_at IS NULL"),
        postgresql_where=sa.text("removed_at IS NULL"),
    )
    op.create_table(
        "registry",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(63), nullable=False, unique=True),
        sa.Column("current_snapshot_id", sa.Integer),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "registry_snapshot",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("registry_id", sa.Integer, nullable=False, index=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("as_of_source", sa.String(10), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("changes_applied", sa.Integer, nullable=False),
        sa.Column("imported_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )
    op.execute(EMPTY_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS registry_current")
    bind = op.get_bind()
    ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM registry_snapshot"))]
    for snapshot_id in ids:
        op.execute(f"DROP TABLE IF EXISTS registry_numbers_{int(snapshot_id)}")
    op.drop_table("registry_snapshot")
    op.drop_table("registry")
    op.drop_index("ix_prefix_block_live", table_name="prefix_block")
    op.drop_table("prefix_block")
