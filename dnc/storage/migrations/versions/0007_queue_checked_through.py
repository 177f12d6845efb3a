"""Which members a group's decision covers: ``queue_group.checked_through``.

A group is decided once, for the members the scrub could see. An entry
loaded into the group afterwards was never decided, yet read as if it had
been ("ready" for a number on the internal list). The scrub now records the
highest entry id its walk could see; a member above it is ``unchecked``.
Groups decided before this revision have none, so their members read as
unchecked until the next scrub: nothing says which of them it saw.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("queue_group", sa.Column("checked_through", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("queue_group") as batch:
        batch.drop_column("checked_through")
