"""``dnc.open()``: composition happens here and only here (configuration,
rules, store, clock). Nothing connects at import time."""

from __future__ import annotations

import functools
from pathlib import Path

from dnc import configuration
from dnc.clock import Clock
from dnc.configuration import Config
from dnc.rules import RuleBook, load_rulebook
from dnc.service import Service
from dnc.storage.store import open_store


def open(  # noqa: A001 - the front door is dnc.open(), as documented
    database_url: str | None = None,
    config: Config | str | Path | None = None,
    *,
    migrate_schema: bool = True,
    clock: Clock | None = None,
    create: bool = False,
) -> Service:
    """Open the service: load configuration, connect, bring the schema to head.

    URL precedence: argument > DNC_DATABASE_URL > config > ./dnc.db (SQLite).
    Only ``create=True`` (``dnc init``) makes a database: otherwise a missing
    SQLite file, or a database or schema without dnc's tables, raises
    DatabaseMissingError, so a command run in the wrong folder never answers
    from an empty store. Raises StorageError when the database cannot be
    reached, and SchemaTooNewError when it was migrated by a newer dnc. Every
    stamp and every default "now" comes from ``clock`` (default: the system clock).
    """
    cfg = config if isinstance(config, Config) else configuration.load(config)
    url = configuration.resolve_database_url(database_url, cfg)
    store = open_store(url, create=create, migrate_schema=migrate_schema, settings=cfg.storage)
    return Service(store, cfg, packaged_rulebook(), clock)


@functools.cache
def packaged_rulebook() -> RuleBook:
    """The packaged calling rules, loaded once per process (~50 ms)."""
    data = configuration.packaged_dir()
    return load_rulebook(data / "rules", data / "nanp_area_codes.csv")
