"""Call outcomes (issue 4).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dnc.storage.types import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "call_outcome",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.BigInteger, nullable=False),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("refusals", sa.Integer, nullable=False, server_default="0"),
        sa.Column("callback_at", UTCDateTime),
        sa.Column("agent", sa.String(200)),
        sa.Column("note", sa.Text),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.CheckConstraint("refusals >= 0", name="ck_call_outcome_refusals"),
    )
    op.create_index("ix_call_outcome_number", "call_outcome", ["number", "campaign", "at"])


def downgrade() -> None:
    op.drop_index("ix_call_outcome_number", table_name="call_outcome")
    op.drop_table("call_outcome")
