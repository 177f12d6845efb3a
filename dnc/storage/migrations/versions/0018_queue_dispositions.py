"""Queue dispositions: each entry's disposition as the scrubs decided it, one
row per change (so a report counts distinct entries, not runs).

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dnc.storage.types import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue_disposition",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.Integer, nullable=False),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("codes", sa.String(400), nullable=False),
        sa.Column("since_run", sa.Integer, nullable=False),
        sa.Column("since_at", UTCDateTime, nullable=False),
        sa.Column("until_run", sa.Integer),
        sa.Column("until_at", UTCDateTime),
    )
    op.create_index(
        "ix_queue_disposition_open",
        "queue_disposition",
        ["entry_id"],
        unique=True,
        sqlite_where=sa.text("until_run IS NULL"),
        postgresql_where=sa.text("until_run IS NULL"),
    )
    op.create_index("ix_queue_disposition_since", "queue_disposition", ["since_run"])
    op.create_index("ix_queue_disposition_until", "queue_disposition", ["until_at"])


def downgrade() -> None:
    op.drop_index("ix_queue_disposition_until", table_name="queue_disposition")
    op.drop_index("ix_queue_disposition_since", table_name="queue_disposition")
    op.drop_index("ix_queue_disposition_open", table_name="queue_disposition")
    op.drop_table("queue_disposition")
