"""What the command line refuses to let in, each said in one line with exit 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dnc.cli.app import app

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
runner = CliRunner()


def dnc(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--database-url", url, *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def one_line_usage_error(code: int, out: str, err: str) -> str:
    assert code == 2 and "Traceback" not in out + err, out + err
    assert len(err.strip().splitlines()) == 1, err
    return err


def us_national(url: str) -> dict[str, object]:
    _, out, _ = dnc(url, "registry", "status", "--json")
    return next(r for r in json.loads(out) if r["registry"] == "us-national")


@pytest.fixture
def imported(db_url: str) -> str:
    code, out, err = dnc(
        db_url, "registry", "import", str(SAMPLES / "ftc-full-201-305.txt"),
        "--registry", "us-national", "--as-of", "2026-11-20",
    )  # fmt: skip
    assert code == 0, out + err
    return db_url


def test_a_canadian_file_as_us_national_names_its_line_and_changes_nothing(imported: str) -> None:
    err = one_line_usage_error(
        *dnc(
            imported, "registry", "import", str(SAMPLES / "dncl-416.csv"),
            "--registry", "us-national", "--format", "dncl", "--as-of", "2026-11-21",
        )
    )  # fmt: skip
    assert "dncl-416.csv: line 1: a CA number, outside the numbering plan" in err
    assert (us_national(imported)["size"], us_national(imported)["as_of"]) == (1200, "2026-11-20")


def test_an_empty_file_never_replaces_a_registry(imported: str) -> None:
    for extra in ((), ("--allow-shrink",)):
        err = one_line_usage_error(
            *dnc(imported, "registry", "import", "/dev/null", "--registry", "us-national", *extra)
        )
        assert "no numbers for registry us-national" in err
    assert us_national(imported)["size"] == 1200
    code, out, _ = dnc(imported, "check", "2012001956", "--at", "2026-11-24T18:00:00Z", "--json")
    assert [r["code"] for r in json.loads(out)["reasons"]] == ["DNC_REGISTRY"]


def test_a_truncated_list_needs_allow_shrink(imported: str, tmp_path: Path) -> None:
    half = tmp_path / "half.txt"
    half.write_text("\n".join((SAMPLES / "ftc-full-201-305.txt").read_text().splitlines()[:600]))
    args = ("registry", "import", str(half), "--registry", "us-national", "--as-of", "2026-11-21")
    err = one_line_usage_error(*dnc(imported, *args))
    assert "by 50.0% from 1,200 (limit 5%)" in err and "--allow-shrink" in err
    assert us_national(imported)["size"] == 1200
    code, out, err = dnc(imported, *args, "--allow-shrink")
    assert code == 0, err
    assert us_national(imported)["size"] == 600


def test_an_as_of_after_today_is_refused(imported: str) -> None:
    ahead = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    err = one_line_usage_error(
        *dnc(
            imported, "registry", "import", str(SAMPLES / "ftc-full-201-305.txt"),
            "--registry", "us-national", "--as-of", ahead,
        )
    )  # fmt: skip
    assert f"as-of date (given) {ahead} is after today" in err
    assert us_national(imported)["as_of"] == "2026-11-20"


def test_an_opt_out_at_a_future_time_is_refused(sqlite_url: str) -> None:
    later = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    err = one_line_usage_error(*dnc(sqlite_url, "opt-out", "2015550123", "--at", later))
    assert "never post-dated" in err
    _, out, _ = dnc(sqlite_url, "list", "show", "--json")
    assert json.loads(out) == []


@pytest.mark.parametrize(
    "expiry", [["--expires", "2020-01-31"], ["--prefix", "--expires", "2020-01-31"]]
)
def test_an_expiry_already_past_is_refused(sqlite_url: str, expiry: list[str]) -> None:
    number = "+1201555" if "--prefix" in expiry else "2015550123"
    err = one_line_usage_error(*dnc(sqlite_url, "list", "add", number, *expiry))
    assert "already past" in err


def test_queue_load_names_a_location_the_rules_cannot_read(sqlite_url: str, tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("number,location\n2015550101,US-NJ\n2015550102,Atlantis/Capital\n")
    err = one_line_usage_error(
        *dnc(sqlite_url, "queue", "load", str(leads), "--campaign", "spring")
    )
    assert f"{leads}: line 3" in err and "Atlantis/Capital" in err
    _, out, _ = dnc(sqlite_url, "queue", "show", "--campaign", "spring", "--json")
    assert json.loads(out) == []
