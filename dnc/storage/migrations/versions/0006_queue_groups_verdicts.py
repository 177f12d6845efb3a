"""Queue dispositions out of the entry row: per group, and per entry only where needed.

A scrub that rewrote every queue row (not_before, reasons) was bound by
page writes: deferring a million entries dirtied every page of the table.
Most entries have no facts of their own, so their disposition is that of
every entry like them; it now lives once per *group* (campaign, region,
zones, leading digits, location). Entries with facts of their own (a list
entry, a registry listing, an outcome, a consent, a preference) get a row
in the narrow ``queue_verdict`` table, which a scrub fills set-based.
``queue_entry.status`` keeps only the dialer's lifecycle: ready, claimed, done.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

from dnc.storage.types import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queue_group",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("region", sa.String(3), nullable=False),
        sa.Column("zones", sa.Text, nullable=False),
        sa.Column("head", sa.BigInteger, nullable=False),
        # '' for none: a NULL would make every such group distinct in the key.
        sa.Column("location", sa.String(64), nullable=False),
        sa.Column("sample", sa.BigInteger, nullable=False),
        sa.Column("action", sa.String(12)),
        sa.Column("not_before", UTCDateTime),
        sa.Column("reasons", sa.Text),
        sa.Column("decided_at", UTCDateTime),
        sa.UniqueConstraint(
            "campaign", "region", "zones", "head", "location", name="uq_queue_group_key"
        ),
    )
    # A scrub suppresses half a million entries for the same few reasons:
    # each list of reasons is stored once, and a verdict row stays narrow.
    op.create_table(
        "queue_reason",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        # Unique by digest: a list of reasons can outgrow what a b-tree key holds.
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.UniqueConstraint("digest", name="uq_queue_reason_digest"),
    )
    # Keyed by number first, like every other fact the scrub walks in number
    # order: its look-ups land next to each other, and its inserts append.
    op.create_table(
        "queue_verdict",
        sa.Column("number", sa.BigInteger, nullable=False),
        sa.Column("entry_id", sa.Integer, nullable=False),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("not_before", UTCDateTime),
        sa.Column("reason_id", sa.Integer),
        sa.Column("decided_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("number", "entry_id", name="pk_queue_verdict"),
        sqlite_with_rowid=False,
    )
    # The verdicts a scrub decides again (all but suppressions, which are
    # final): few beside the suppressions, found without reading those.
    op.create_index(
        "ix_queue_verdict_open",
        "queue_verdict",
        ["entry_id"],
        sqlite_where=sa.text("action <> 'suppressed'"),
        postgresql_where=sa.text("action <> 'suppressed'"),
    )
    op.add_column("queue_entry", sa.Column("group_id", sa.Integer))
    op.execute(
        "INSERT INTO queue_group (campaign, region, zones, head, location, sample)"
        " SELECT campaign, region, zones, number / 10000000, COALESCE(location, ''), MIN(number)"
        " FROM queue_entry GROUP BY campaign, region, zones, number / 10000000,"
        " COALESCE(location, '')"
    )
    op.execute(
        "UPDATE queue_entry SET group_id = (SELECT g.id FROM queue_group g"
        " WHERE g.campaign = queue_entry.campaign AND g.region = queue_entry.region"
        " AND g.zones = queue_entry.zones AND g.head = queue_entry.number / 10000000"
        " AND g.location = COALESCE(queue_entry.location, ''))"
    )
    decided = "status IN ('suppressed', 'held') OR (status = 'ready' AND not_before IS NOT NULL)"
    bind = op.get_bind()
    texts = bind.execute(
        sa.text(
            f"SELECT DISTINCT reasons FROM queue_entry WHERE reasons IS NOT NULL AND ({decided})"
        )
    ).scalars()
    rows = [{"d": hashlib.sha256(t.encode()).hexdigest(), "r": t} for t in texts]
    if rows:
        bind.execute(sa.text("INSERT INTO queue_reason (digest, reasons) VALUES (:d, :r)"), rows)
    op.execute(
        "INSERT INTO queue_verdict (number, entry_id, action, not_before, reason_id, decided_at)"
        " SELECT number, id, CASE status WHEN 'ready' THEN 'deferred' ELSE status END,"
        " not_before, (SELECT min(r.id) FROM queue_reason r WHERE r.reasons = queue_entry.reasons),"
        f" COALESCE(suppressed_at, updated_at) FROM queue_entry WHERE {decided}"
    )
    op.execute("UPDATE queue_entry SET status = 'ready' WHERE status IN ('suppressed', 'held')")
    with op.batch_alter_table("queue_entry") as batch:
        batch.alter_column("group_id", existing_type=sa.Integer, nullable=False)
        batch.drop_column("not_before")
        batch.drop_column("reasons")
        batch.drop_column("suppressed_at")
    # The scrub walks the queue in number order, joining each source of facts
    # (a 250-million-number registry above all) in the same order; this
    # index holds everything that walk reads, so it never visits the table.
    op.drop_index("ix_queue_entry_number", "queue_entry")
    op.create_index(
        "ix_queue_entry_number", "queue_entry", ["number", "status", "campaign", "group_id"]
    )
    # Claims and ``queue show`` read a campaign best first (priority, then
    # the order loaded) and stop at their limit: in index order, no sort.
    op.drop_index("ix_queue_entry_due", "queue_entry")
    op.create_index(
        "ix_queue_entry_due",
        "queue_entry",
        ["campaign", sa.text("priority DESC"), "id", "status", "group_id", "number"],
    )
    # Claims a dialer never finished (it died): few, found without a scan.
    op.create_index(
        "ix_queue_entry_claimed",
        "queue_entry",
        ["campaign", "claimed_at"],
        sqlite_where=sa.text("status = 'claimed'"),
        postgresql_where=sa.text("status = 'claimed'"),
    )


def downgrade() -> None:
    op.drop_index("ix_queue_entry_claimed", "queue_entry")
    op.drop_index("ix_queue_entry_due", "queue_entry")
    op.create_index("ix_queue_entry_due", "queue_entry", ["campaign", "status", "priority"])
    op.drop_index("ix_queue_entry_number", "queue_entry")
    op.create_index("ix_queue_entry_number", "queue_entry", ["number"])
    with op.batch_alter_table("queue_entry") as batch:
        batch.add_column(sa.Column("not_before", UTCDateTime))
        batch.add_column(sa.Column("reasons", sa.Text))
        batch.add_column(sa.Column("suppressed_at", UTCDateTime))
    # Only what an entry had of its own goes back onto its row; group
    # deferrals are recomputed by the next scrub.
    own = "FROM queue_verdict v WHERE v.number = queue_entry.number AND v.entry_id = queue_entry.id"
    op.execute(
        "UPDATE queue_entry SET"
        " status = COALESCE((SELECT CASE v.action WHEN 'suppressed' THEN 'suppressed'"
        f" WHEN 'held' THEN 'held' END {own}), status),"
        f" not_before = (SELECT v.not_before {own} AND v.action = 'deferred'),"
        " reasons = (SELECT r.reasons FROM queue_verdict v JOIN queue_reason r"
        " ON r.id = v.reason_id WHERE v.number = queue_entry.number"
        " AND v.entry_id = queue_entry.id),"
        f" suppressed_at = (SELECT v.decided_at {own} AND v.action = 'suppressed')"
    )
    with op.batch_alter_table("queue_entry") as batch:
        batch.drop_column("group_id")
    op.drop_table("queue_verdict")
    op.drop_table("queue_reason")
    op.drop_table("queue_group")
