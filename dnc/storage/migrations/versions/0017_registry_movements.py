"""Registry movements: when each number entered or left a registry's snapshot.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dnc.storage.types import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_swap",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("registry_id", sa.Integer, nullable=False),
        sa.Column("snapshot_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("imported_at", UTCDateTime, nullable=False),
        sa.Column("entered_count", sa.BigInteger, nullable=False),
        sa.Column("left_count", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )
    op.create_index("ix_registry_swap_registry", "registry_swap", ["registry_id", "imported_at"])
    # Keyed by number first: history asks for one number's movements, and a
    # swap's rows (a few % of a registry) land beside that number's others.
    op.create_table(
        "registry_movement",
        sa.Column("number", sa.BigInteger, nullable=False),
        sa.Column("swap_id", sa.Integer, nullable=False),
        sa.Column("direction", sa.String(7), nullable=False),
        sa.PrimaryKeyConstraint("number", "swap_id", name="pk_registry_movement"),
        sqlite_with_rowid=False,
    )
    # A registry imported before movements were kept starts tracking from its
    # current snapshot: every number in it is on the list "since at least" then.
    op.execute(
        "INSERT INTO registry_swap (registry_id, snapshot_id, kind, as_of, imported_at, "
        "entered_count, left_count, actor) "
        "SELECT r.id, s.id, 'baseline', s.as_of, s.updated_at, 0, 0, s.actor "
        "FROM registry r JOIN registry_snapshot s ON s.id = r.current_snapshot_id"
    )


def downgrade() -> None:
    op.drop_table("registry_movement")
    op.drop_index("ix_registry_swap_registry", table_name="registry_swap")
    op.drop_table("registry_swap")
