"""Reassigned numbers (disconnects and their imports) and abandoned-call counts.

``abandon_day`` is filled from the outcomes already recorded, so a campaign's
abandonment rate is right from the first check after the upgrade.

Revision ID: 0014
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dnc.storage.types import UTCDateTime

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

# Outcomes of a call a live person answered (docs/outcomes.md, abandoned calls).
_LIVE = "('answered', 'sale', 'refused', 'callback', 'opt_out', 'wrong_number', 'hung_up')"


def upgrade() -> None:
    op.create_table(
        "reassigned_number",
        sa.Column("number", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("disconnected_on", sa.Date, primary_key=True),
        sa.Column("registry_name", sa.String(63), primary_key=True),
        sa.Column("import_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "reassigned_import",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("registry_name", sa.String(63), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("as_of_source", sa.String(10), nullable=False),
        sa.Column("file", sa.Text, nullable=False),
        sa.Column("read", sa.BigInteger, nullable=False),
        sa.Column("added", sa.BigInteger, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("imported_at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )
    op.create_index("ix_reassigned_import_registry", "reassigned_import", ["registry_name", "id"])
    op.create_table(
        "abandon_day",
        sa.Column("campaign", sa.String(100), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("answered", sa.Integer, nullable=False),
        sa.Column("abandoned", sa.Integer, nullable=False),
    )
    day = "date(at)" if op.get_bind().dialect.name == "sqlite" else "(at AT TIME ZONE 'UTC')::date"
    op.execute(
        f"INSERT INTO abandon_day (campaign, day, answered, abandoned)"
        f" SELECT campaign, {day}, count(*), 0 FROM call_outcome"
        f" WHERE outcome IN {_LIVE} GROUP BY campaign, {day}"
    )


def downgrade() -> None:
    op.drop_table("abandon_day")
    op.drop_index("ix_reassigned_import_registry", table_name="reassigned_import")
    op.drop_table("reassigned_import")
    op.drop_table("reassigned_number")
