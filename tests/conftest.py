"""Shared fixtures: real databases only.

``db_url`` runs a test on a fresh SQLite file and on a fresh schema of the
PostgreSQL test server. PostgreSQL comes from DNC_TEST_POSTGRES_URL (default:
the server these machines run on 127.0.0.1:5432, database ``test``). Under
CI=true an unreachable PostgreSQL fails the run; elsewhere its tests skip
with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

import dnc

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(autouse=True, scope="session")
def _snapshot_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """PostgreSQL's snapshot copies go under the user's cache by default: keep
    the suite's in its own temporary folder (subprocesses inherit it)."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if before is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = before


def _pg_base_url() -> str:
    url = os.environ.get("DNC_TEST_POSTGRES_URL") or DEFAULT_PG
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


_pg_problem: str | None = None
_pg_checked = False


def _pg_unavailable() -> str | None:
    global _pg_checked, _pg_problem
    if not _pg_checked:
        _pg_checked = True
        try:
            engine = sa.create_engine(_pg_base_url(), connect_args={"connect_timeout": 3})
            with engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
            engine.dispose()
        except Exception as exc:  # noqa: BLE001 - reported as the skip/fail reason
            _pg_problem = f"PostgreSQL at {_pg_base_url()} unreachable: {exc}".splitlines()[0]
    return _pg_problem


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'dnc.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    problem = _pg_unavailable()
    if problem:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    base = _pg_base_url()
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    return str(request.getfixturevalue(name))


# Monday 23 November 2026, 10:00 in New York: inside every calling window the
# tests assume. The suite never depends on the day it runs (CI runs it a
# second time with the process clock a year and a half day ahead).
TEST_NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> dnc.FixedClock:
    """The service clock tests control: every stamp and default "now"."""
    return dnc.FixedClock(TEST_NOW)


@pytest.fixture
def service(db_url: str, clock: dnc.FixedClock) -> Iterator[dnc.Service]:
    """The service on a database it creates (only ``create=True`` / ``dnc init`` may)."""
    svc = dnc.open(db_url, clock=clock, create=True)
    yield svc
    svc.close()


NO_REGISTRIES_REQUIRED = "".join(
    f"[registries.{name}]\nrequired = false\n"
    for name in ("us-national", "ca-dncl", "uk-tps", "au-dncr")
) + (
    # The packaged 0.25 s check bound is held by test_bounded_checks with its own
    # configuration. Elsewhere the suite runs a worker per core with PostgreSQL
    # beside them, where a first connection can take longer than a dialer's
    # bound and the check would (rightly) fail closed mid-scenario.
    "[storage]\ncheck_timeout = 2.0\n"
)
NO_REGISTRIES_REQUIRED = (
    # Out of the box an undeclared campaign dials automatically (fail closed),
    # so a US number of unknown line needs written consent (dnc.wireless).
    # Tests of other rules dial by hand; wireless tests declare their own.
    '[campaigns.default.calling]\ncall_type = "manual"\n' + NO_REGISTRIES_REQUIRED
)


@pytest.fixture(autouse=True)
def _registries_not_required(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Out of the box a US number without a fresh registry snapshot is
    REGISTRY_STALE (fail closed). Tests of other rules run, through
    DNC_CONFIG (seen by subprocesses and the CLI too), with the packaged
    registries not required; registry tests pass their own configuration."""
    path = tmp_path_factory.getbasetemp() / "registries-not-required.toml"
    if not path.exists():
        path.write_text(NO_REGISTRIES_REQUIRED)
    monkeypatch.setenv("DNC_CONFIG", str(path))
