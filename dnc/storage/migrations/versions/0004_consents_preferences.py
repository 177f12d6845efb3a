"""Consents and calling preferences (issue 5).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dnc.storage.types import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.BigInteger, nullable=False),
        sa.Column("campaign", sa.String(100)),
        sa.Column("brand", sa.String(100)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("granted_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime),
        sa.Column("evidence", sa.Text),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime),
        sa.Column("revoked_by", sa.String(200)),
        sa.Column("revoked_reason", sa.Text),
        sa.CheckConstraint(
            "(campaign IS NULL) <> (brand IS NULL)", name="ck_consent_campaign_xor_brand"
        ),
    )
    op.create_index("ix_consent_number", "consent", ["number"])
    op.create_table(
        "preference",
        sa.Column("number", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("not_before", sa.String(5)),
        sa.Column("not_after", sa.String(5)),
        sa.Column("days", sa.String(20)),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("preference")
    op.drop_table("consent")
