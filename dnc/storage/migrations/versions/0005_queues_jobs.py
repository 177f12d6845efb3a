"""Dialer queues, job runs and job leases (issue 6).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dnc.storage.types import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue_entry",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("number", sa.BigInteger, nullable=False),
        sa.Column("region", sa.String(3), nullable=False),
        sa.Column("zones", sa.Text, nullable=False),
        sa.Column("lead_id", sa.String(100)),
        sa.Column("location", sa.String(64)),
        sa.Column("priority", sa.Integer, nullable=False, server_default="0"),
        sa.Column("not_before", UTCDateTime),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reasons", sa.Text),
        sa.Column("suppressed_at", UTCDateTime),
        sa.Column("claimed_at", UTCDateTime),
        sa.Column("claimed_by", sa.String(200)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("campaign", "number", name="uq_queue_entry_campaign_number"),
    )
    # Not on not_before: the nightly scrub rewrites it on most entries, and an
    # indexed column would turn each of those writes into index maintenance.
    op.create_index("ix_queue_entry_due", "queue_entry", ["campaign", "status", "priority"])
    op.create_index("ix_queue_entry_number", "queue_entry", ["number"])
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job", sa.String(50), nullable=False),
        sa.Column("trigger", sa.String(20), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("counts", sa.Text),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_job_run_job_started", "job_run", ["job", "started_at"])
    op.create_table(
        "job_lease",
        sa.Column("name", sa.String(50), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("acquired_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("job_lease")
    op.drop_table("job_run")
    op.drop_table("queue_entry")
