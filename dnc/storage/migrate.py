"""Bring a database to the schema this code knows, or refuse a newer one."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from dnc.errors import DatabaseMissingError, SchemaTooNewError
from dnc.storage.engine import WRITE, sqlite_file_missing, where

# Serialises concurrent upgrades from many dialer processes on PostgreSQL.
_PG_MIGRATION_LOCK = 0x646E63  # "dnc"


def _alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(resources.files("dnc.storage") / "migrations"))
    return cfg


def head() -> str:
    script = ScriptDirectory.from_config(_alembic_config())
    heads = script.get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads: {heads}")
    return heads[0]


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def require(engine: Engine) -> str | None:
    """The database's revision; DatabaseMissingError when it holds no dnc schema.

    A SQLite file is looked for before connecting, since connecting creates it.
    """
    if sqlite_file_missing(engine):
        raise DatabaseMissingError(where(engine))
    with engine.connect() as probe:
        found = current(probe)
        probe.rollback()
    if found is None:
        raise DatabaseMissingError(where(engine))
    return found


def upgrade(engine: Engine, *, create: bool = False) -> str:
    """Migrate to head; return the revision now in force.

    Without ``create``, a database with no dnc schema (a missing SQLite file,
    a PostgreSQL schema without our tables) raises DatabaseMissingError:
    only ``dnc init`` makes one. A schema at an older revision is migrated.
    """
    cfg = _alembic_config()
    script = ScriptDirectory.from_config(cfg)
    target = head()
    if create:
        with engine.connect() as probe:
            found = current(probe)
            probe.rollback()
    else:
        found = require(engine)
    if found == target:
        return target  # the common case: one cheap read, no lock
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        found = current(connection)
        if found is not None and found not in {r.revision for r in script.walk_revisions()}:
            raise SchemaTooNewError(found, target)
        if found != target:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")
    return target
