"""Line types from wireless/ported-number sources (TCPA wireless rule).

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dnc.storage.types import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "line_type_number",
        sa.Column("number", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("registry_name", sa.String(63), primary_key=True),
        sa.Column("wireless", sa.Boolean, nullable=False),
        sa.Column("import_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "line_type_source",
        sa.Column("registry_name", sa.String(63), primary_key=True),
        sa.Column("data_as_of", sa.Date, nullable=False),
        sa.Column("import_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "line_type_import",
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
    op.create_index("ix_line_type_import_registry", "line_type_import", ["registry_name", "id"])


def downgrade() -> None:
    op.drop_index("ix_line_type_import_registry", table_name="line_type_import")
    op.drop_table("line_type_import")
    op.drop_table("line_type_source")
    op.drop_table("line_type_number")
