"""Client lists: a list entry may belong to a call centre's client (DNC_CLIENT).

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no default: every existing entry stays on the list it was on.
    op.add_column("list_entry", sa.Column("client", sa.String(100)))


def downgrade() -> None:
    with op.batch_alter_table("list_entry") as batch:
        batch.drop_column("client")
