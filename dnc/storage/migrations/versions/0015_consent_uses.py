"""Consent uses: each check or claim that relied on a consent (UWG §7a evidence).

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dnc.storage.types import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consent_use",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("consent_id", sa.Integer, nullable=False),
        sa.Column("used_at", UTCDateTime, nullable=False),
        sa.Column("via", sa.String(10), nullable=False),
        sa.Column("campaign", sa.String(100)),
    )
    op.create_index("ix_consent_use_consent", "consent_use", ["consent_id", "used_at"])


def downgrade() -> None:
    op.drop_index("ix_consent_use_consent", table_name="consent_use")
    op.drop_table("consent_use")
