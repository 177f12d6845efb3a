"""The command line runs on a database ``dnc init`` made, as an operator's does:
every other command refuses a database that does not exist. Tests of a
missing database point at a path of their own."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dnc.cli.app import app


def _init(url: str) -> str:
    result = CliRunner().invoke(app, ["--database-url", url, "init"])
    assert result.exit_code == 0, result.output
    return url


@pytest.fixture
def sqlite_url(sqlite_url: str) -> str:
    return _init(sqlite_url)


@pytest.fixture
def pg_url(pg_url: str) -> str:
    return _init(pg_url)
