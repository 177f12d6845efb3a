"""The database a command uses is never a surprise: only ``dnc init`` (and
``dnc.open(..., create=True)``) makes one; everything else refuses a missing
database instead of answering from a new, empty one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import dnc
from dnc.cli.app import app
from dnc.jobs import tasks

NUMBER = "+1 201 555 0123"


@pytest.fixture
def fresh_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An operator in a folder with no database, and no DNC_DATABASE_URL."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DNC_DATABASE_URL", raising=False)
    return tmp_path


def dnc_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_open_refuses_a_missing_sqlite_file_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "dnc.db"
    with pytest.raises(dnc.DatabaseMissingError) as info:
        dnc.open(f"sqlite:///{path}")
    assert str(info.value) == (
        f"no dnc database at {path}: run `dnc init` there, or set DNC_DATABASE_URL"
    )
    assert isinstance(info.value, dnc.StorageError)
    with pytest.raises(dnc.DatabaseMissingError):
        dnc.open(f"sqlite:///{path}", migrate_schema=False)
    assert list(tmp_path.iterdir()) == []


def test_open_refuses_a_database_without_dnc_tables(db_url: str) -> None:
    """An empty PostgreSQL schema, or an empty SQLite file, is not a dnc store."""
    if db_url.startswith("sqlite"):
        sa.create_engine(db_url).connect().close()  # an empty file
    with pytest.raises(dnc.DatabaseMissingError, match="run `dnc init` there"):
        dnc.open(db_url)
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == []
    engine.dispose()


def test_create_makes_the_database_and_then_any_open_uses_it(
    db_url: str, clock: dnc.FixedClock
) -> None:
    with dnc.open(db_url, create=True, clock=clock) as service:
        service.opt_out(NUMBER)
    with dnc.open(db_url, clock=clock) as service:
        assert service.check(NUMBER).codes == (dnc.ReasonCode.DNC_INTERNAL,)
        assert "dnc.db" in service.database or "postgresql" in service.database


def test_jobs_never_create_a_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'dnc.db'}"
    for job in tasks.JOBS.values():
        with pytest.raises(dnc.DatabaseMissingError):
            job(url, None, trigger="manual")
    assert list(tmp_path.iterdir()) == []


def test_an_opt_out_in_the_wrong_folder_fails_and_creates_nothing(fresh_folder: Path) -> None:
    code, out, err = dnc_cli("opt-out", NUMBER)
    assert code == 3, out + err
    assert err.strip().splitlines() == [
        f"error: no dnc database at {fresh_folder / 'dnc.db'}: run `dnc init` there, "
        "or set DNC_DATABASE_URL"
    ]
    assert list(fresh_folder.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [
        ("list", "show"),
        ("registry", "status"),
        ("history", NUMBER),
        ("queue", "show", "--campaign", "spring"),
        ("jobs", "run", "nightly-scrub"),
    ],
    ids=" ".join,
)
def test_every_command_but_init_refuses_a_missing_database(
    fresh_folder: Path, command: tuple[str, ...]
) -> None:
    code, out, err = dnc_cli(*command)
    assert code == 3 and "no dnc database at" in err and len(err.strip().splitlines()) == 1
    assert list(fresh_folder.iterdir()) == []


def test_check_without_a_database_fails_closed_with_exit_3(fresh_folder: Path) -> None:
    code, out, err = dnc_cli("check", NUMBER, "--json")
    assert code == 3 and "no dnc database at" in err
    verdict = json.loads(out)
    assert verdict["allowed"] is False and verdict["reasons"][0]["code"] == "CHECK_FAILED"
    assert list(fresh_folder.iterdir()) == []


def test_the_quick_start_works_from_a_fresh_folder(fresh_folder: Path) -> None:
    code, out, err = dnc_cli("init")
    assert code == 0, err
    assert out.strip() == f"database created: sqlite:///{fresh_folder / 'dnc.db'}"
    code, out, err = dnc_cli("opt-out", NUMBER, "--note", "asked not to be called")
    assert code == 0, err
    code, out, _ = dnc_cli("check", NUMBER, "--json")
    assert code == 1 and "DNC_INTERNAL" in out
    code, out, _ = dnc_cli("init")
    assert code == 0 and out.strip() == f"database ready: sqlite:///{fresh_folder / 'dnc.db'}"


def test_init_and_registry_status_name_the_database_without_its_password(pg_url: str) -> None:
    url = pg_url.replace("postgres@", "postgres:s3cret@")
    code, out, err = dnc_cli("--database-url", url, "init")
    assert code == 0, err
    assert out.startswith("database created: postgresql+psycopg://postgres:***@")
    assert "s3cret" not in out
    code, out, _ = dnc_cli("--database-url", url, "registry", "status")
    assert code == 0 and out.startswith("database: postgresql+psycopg://postgres:***@")
    code, out, _ = dnc_cli("--database-url", url, "registry", "status", "--json")
    assert isinstance(json.loads(out), list)
