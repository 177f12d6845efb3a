"""A registry imported before 0017 (no movements kept) starts its history from
its current snapshot, on SQLite and PostgreSQL; from 0020 its numbers table
becomes a snapshot file and the table goes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from alembic import command

import dnc
from dnc.storage import engine as engines
from dnc.storage import migrate, registry_repo

AT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
AS_OF = date(2026, 11, 1)


def test_a_registry_from_before_0017_is_its_own_baseline(db_url: str, tmp_path: Path) -> None:
    engine = engines.create(db_url)
    cfg = migrate._alembic_config()
    with engine.connect().execution_options(**engines.WRITE) as conn, conn.begin():
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0016")
        reg = registry_repo.registry_id(conn, "us-national", create=True, at=AT)
        assert reg is not None
        snap = registry_repo.start_snapshot(
            conn, reg, as_of=AS_OF, as_of_source="given", file="old.txt", actor="ops", at=AT
        )
        # As registries were kept before 0020: a table per snapshot.
        conn.execute(sa.text(f"CREATE TABLE registry_numbers_{snap} (number BIGINT PRIMARY KEY)"))
        conn.execute(
            sa.text(f"INSERT INTO registry_numbers_{snap} VALUES (:n)"),
            [{"n": 12015550101}, {"n": 12015550102}],
        )
        registry_repo.swap(conn, reg, snap, size=2, at=AT)
        # Down and up again: the revision steps back cleanly.
        command.upgrade(cfg, "0017")
        command.downgrade(cfg, "0016")
    engine.dispose()
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
    assert f"registry_numbers_{snap}" in tables

    clock = dnc.FixedClock(AT + timedelta(days=1))
    with dnc.open(db_url, clock=clock) as svc:
        kinds = [e.kind for e in svc.timeline("+12015550102")]
        assert kinds == ["registry_since", "registry_listed"]
        [since] = [e for e in svc.timeline("+12015550102") if e.kind == "registry_since"]
        assert since.summary.startswith(f"on us-national since at least {AS_OF.isoformat()}")
        new = tmp_path / "new.txt"
        new.write_text("2015550101\n2015550103\n")
        svc.import_registry(new, "us-national", as_of=AS_OF + timedelta(days=20))
        assert [e.kind for e in svc.timeline("+12015550102")] == [
            "registry_since",
            "registry_left",
        ]
        assert [e.kind for e in svc.timeline("+12015550103")] == [
            "registry_entered",
            "registry_listed",
        ]
        with svc.store.engine.connect() as conn:
            tables = sa.inspect(conn).get_table_names()
        assert not [t for t in tables if t.startswith("registry_numbers_")]
