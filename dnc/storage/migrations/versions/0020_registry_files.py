"""Registry snapshots as files (issue 17): each snapshot's numbers become a
snapshot file held in the database as parts, instead of a table per snapshot.

Every current snapshot's table is written out as a file (in number order, a
batch at a time: bounded memory), stored as parts, and pointed at; then the
``registry_current`` view and every ``registry_numbers_<id>`` table go.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from alembic import op

from dnc.snapshots import SnapshotWriter, iter_parts, manifest, open_snapshot
from dnc.storage.types import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_BATCH = 1_000_000


def upgrade() -> None:
    op.add_column("registry_snapshot", sa.Column("file_id", sa.Integer, nullable=True))
    op.create_table(
        "registry_file",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("snapshot_id", sa.Integer, nullable=False),
        sa.Column("label", sa.String(63), nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("file_bytes", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("part_bytes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("parts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("digest", sa.String(64), nullable=False, server_default=""),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_registry_file_snapshot_id", "registry_file", ["snapshot_id"])
    op.create_table(
        "registry_file_part",
        sa.Column("file_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("idx", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("digest", sa.LargeBinary, nullable=False),
    )
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    current = bind.execute(
        sa.text(
            "SELECT s.id, r.name, s.updated_at FROM registry r "
            "JOIN registry_snapshot s ON s.id = r.current_snapshot_id"
        )
    ).all()
    work = Path(tempfile.mkdtemp(prefix="dnc-0020-"))
    try:
        for snapshot_id, name, stamp in current:
            if f"registry_numbers_{int(snapshot_id)}" in tables:
                _to_file(bind, work, int(snapshot_id), name, stamp)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    bind.exec_driver_sql("DROP VIEW IF EXISTS registry_current")
    for name in sorted(tables):
        if name.startswith("registry_numbers_"):
            bind.exec_driver_sql(f"DROP TABLE {name}")


def _to_file(bind: sa.Connection, work: Path, snapshot_id: int, name: str, stamp: object) -> None:
    file_id = bind.execute(
        sa.text(
            "INSERT INTO registry_file (snapshot_id, label, created_at) "
            "VALUES (:s, :label, :at) RETURNING id"
        ),
        {"s": snapshot_id, "label": name, "at": stamp},
    ).scalar_one()
    path = work / f"registry-{file_id}.snap"
    source = f"registry_numbers_{snapshot_id}"
    with SnapshotWriter(path, int(file_id), label=name) as writer:
        last = -1
        while True:
            batch = [
                int(n)
                for n in bind.execute(
                    sa.text(
                        f"SELECT number FROM {source} WHERE number > :last ORDER BY number LIMIT :n"
                    ),
                    {"last": last, "n": _BATCH},
                ).scalars()
            ]
            if not batch:
                break
            writer.add(np.array(batch, dtype=np.uint64))
            last = batch[-1]
        writer.finish()
    with open_snapshot(path, verify=True, expect_id=int(file_id)) as snapshot:
        found = manifest(snapshot)
        for part in iter_parts(snapshot, found.part_bytes):
            assert hashlib.sha256(part.data).digest() == part.digest
            bind.execute(
                sa.text(
                    "INSERT INTO registry_file_part (file_id, idx, data, digest) "
                    "VALUES (:f, :i, :d, :h)"
                ).bindparams(
                    sa.bindparam("d", type_=sa.LargeBinary), sa.bindparam("h", type_=sa.LargeBinary)
                ),
                {"f": file_id, "i": part.index, "d": part.data, "h": part.digest},
            )
    bind.execute(
        sa.text(
            "UPDATE registry_file SET count = :c, file_bytes = :b, part_bytes = :p, "
            "parts = :n, digest = :d WHERE id = :f"
        ),
        {
            "c": found.count,
            "b": found.file_bytes,
            "p": found.part_bytes,
            "n": found.parts,
            "d": found.digest,
            "f": file_id,
        },
    )
    bind.execute(
        sa.text("UPDATE registry_snapshot SET file_id = :f WHERE id = :s"),
        {"f": file_id, "s": snapshot_id},
    )


def downgrade() -> None:
    """Back to a table per current snapshot (from its stored file) and the view."""
    bind = op.get_bind()
    current = bind.execute(
        sa.text(
            "SELECT s.id, r.name, s.file_id FROM registry r "
            "JOIN registry_snapshot s ON s.id = r.current_snapshot_id ORDER BY r.name"
        )
    ).all()
    work = Path(tempfile.mkdtemp(prefix="dnc-0020-"))
    arms = []
    try:
        for snapshot_id, name, file_id in current:
            table = f"registry_numbers_{int(snapshot_id)}"
            if bind.dialect.name == "sqlite":
                bind.exec_driver_sql(
                    f"CREATE TABLE {table} (number INTEGER PRIMARY KEY) WITHOUT ROWID"
                )
            else:
                bind.exec_driver_sql(f"CREATE TABLE {table} (number BIGINT PRIMARY KEY)")
            if file_id is not None:
                _from_file(bind, work, int(file_id), table)
            arms.append(f"SELECT CAST('{name}' AS TEXT) AS registry, number FROM {table}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    body = " UNION ALL ".join(arms) or (
        "SELECT CAST(NULL AS TEXT) AS registry, CAST(NULL AS BIGINT) AS number WHERE 1 = 0"
    )
    bind.exec_driver_sql(f"CREATE VIEW registry_current AS {body}")
    op.drop_table("registry_file_part")
    op.drop_index("ix_registry_file_snapshot_id", table_name="registry_file")
    op.drop_table("registry_file")
    with op.batch_alter_table("registry_snapshot") as batch:
        batch.drop_column("file_id")


def _from_file(bind: sa.Connection, work: Path, file_id: int, table: str) -> None:
    path = work / f"registry-{file_id}.snap"
    with open(path, "wb") as handle:
        for (data,) in bind.execute(
            sa.text("SELECT data FROM registry_file_part WHERE file_id = :f ORDER BY idx"),
            {"f": file_id},
        ):
            handle.write(bytes(data))
    with open_snapshot(path, verify=True, expect_id=file_id) as snapshot:
        for keys in snapshot.iter_keys(_BATCH):
            bind.execute(
                sa.text(f"INSERT INTO {table} (number) VALUES (:n)"),
                [{"n": int(k)} for k in keys.tolist()],
            )
