"""The service a dialer, the CLI and the jobs all use: ``dnc.open(...)``.

Composition happens here and only here: configuration, engine, migrations.
Nothing connects at import time.
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from dnc import (
    configuration,
)
from dnc.clock import Clock, SystemClock
from dnc.configuration import Config
from dnc.errors import InvalidNumberError, LocationError, StorageError
from dnc.judge import Judge
from dnc.lists import entry_snapshot
from dnc.policy import ATTEMPT_HORIZON
from dnc.rules import RuleBook, load_rulebook
from dnc.service_base import _first_line, _redact
from dnc.service_evidence import EvidenceMethods
from dnc.service_lists import ListMethods, parse_list_name
from dnc.service_people import PeopleMethods
from dnc.service_queues import QueueMethods
from dnc.storage import (
    migrate,
)
from dnc.storage.engine import create as create_engine
from dnc.storage.hotpath import HotReader
from dnc.verdicts import Reason, ReasonCode, Verdict


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
    engine = create_engine(url)
    try:
        if migrate_schema:
            migrate.upgrade(engine, create=create)
        elif not create:
            migrate.require(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StorageError(f"cannot use database {_redact(url)}: {_first_line(exc)}") from exc
    except BaseException:
        engine.dispose()
        raise
    return Service(engine, cfg, clock=clock)


@functools.cache
def packaged_rulebook() -> RuleBook:
    """The packaged calling rules, loaded once per process (~50 ms)."""
    data = configuration.packaged_dir()
    return load_rulebook(data / "rules", data / "nanp_area_codes.csv")


class Service(ListMethods, PeopleMethods, EvidenceMethods, QueueMethods):
    """Checks, opt-outs and list management over one database."""

    def __init__(
        self,
        engine: Engine,
        config: Config,
        rulebook: RuleBook | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock if clock is not None else SystemClock()
        self.rulebook = rulebook if rulebook is not None else packaged_rulebook()
        self.judge = Judge(config, self.rulebook)
        self._hot = HotReader(engine)

    # -- lifecycle -----------------------------------------------------------

    @property
    def database(self) -> str:
        """The database in use, as its URL without the password."""
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self._hot.close()
        self.engine.dispose()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- the check -------------------------------------------------------------

    def check(
        self,
        number: str,
        campaign: str | None = None,
        at: datetime | None = None,
        location: str | None = None,
    ) -> Verdict:
        """May ``number`` be called at ``at`` (default now) for ``campaign``?

        Never raises for a number it cannot clear, and never answers
        "allowed" by accident: any internal failure is a CHECK_FAILED refusal.
        A naive ``at`` is a caller bug and raises InputError.
        """
        when = self._at(at, "at")
        try:
            phone = self.parse(number)
        except InvalidNumberError as exc:
            return Verdict.refuse(str(number), [Reason(ReasonCode.INVALID_NUMBER, exc.why)])
        try:
            facts = self._hot.facts(phone.key, since=when - ATTEMPT_HORIZON)
            return self.judge.verdict(phone, facts, campaign=campaign, at=when, location=location)
        except LocationError:
            raise  # a location the rules cannot read: the caller's mistake, said as such
        except Exception as exc:  # noqa: BLE001 - fail closed, with the cause named
            return Verdict.refuse(
                phone.e164,
                [Reason(ReasonCode.CHECK_FAILED, f"check could not complete: {_first_line(exc)}")],
            )


__all__ = ["Service", "entry_snapshot", "open", "packaged_rulebook", "parse_list_name"]
