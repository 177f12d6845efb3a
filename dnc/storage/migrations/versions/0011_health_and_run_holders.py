"""Storage health (the last integrity check, read by every check) and who
runs a job (host, process, last seen), so a run that died is seen as dead.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dnc.storage.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "storage_health",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("checked_at", UTCDateTime, nullable=False),
        sa.Column("detail", sa.Text),
    )
    with op.batch_alter_table("job_run") as batch:
        batch.add_column(sa.Column("host", sa.String(255)))
        batch.add_column(sa.Column("pid", sa.Integer))
        batch.add_column(sa.Column("last_seen_at", UTCDateTime))
        batch.add_column(sa.Column("lease_owner", sa.String(200)))
    op.create_index(
        "ix_job_run_running",
        "job_run",
        ["status"],
        sqlite_where=sa.text("status = 'running'"),
        postgresql_where=sa.text("status = 'running'"),
    )


def downgrade() -> None:
    op.drop_index("ix_job_run_running", "job_run")
    with op.batch_alter_table("job_run") as batch:
        batch.drop_column("lease_owner")
        batch.drop_column("last_seen_at")
        batch.drop_column("pid")
        batch.drop_column("host")
    op.drop_table("storage_health")
