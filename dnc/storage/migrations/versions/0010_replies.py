"""Replies: what people wrote or said, how it was read, and what it did.

Revision ID: 0010
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dnc.storage.types import UTCDateTime

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.BigInteger, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("campaign", sa.String(100)),
        sa.Column("received_at", UTCDateTime, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("intent", sa.String(20), nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("per_se", sa.Boolean, nullable=False),
        sa.Column("matches", sa.Text, nullable=False),
        sa.Column("effect", sa.String(20), nullable=False),
        sa.Column("list_entry_id", sa.Integer),
        sa.Column("outcome_id", sa.Integer),
        sa.Column("actor", sa.String(200), nullable=False),
    )
    op.create_index("ix_reply_number", "reply", ["number"])
    op.create_index("ix_reply_received", "reply", ["received_at"])
    op.create_index("ix_reply_list_entry", "reply", ["list_entry_id"])


def downgrade() -> None:
    op.drop_table("reply")
