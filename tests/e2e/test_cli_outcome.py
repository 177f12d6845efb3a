"""``dnc outcome`` as a dialer script or an operator meets it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dnc.cli.app import app

runner = CliRunner()


def dnc(url: str, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    config = tmp_path / "dnc.toml"
    config.write_text(
        "[registries.us-national]\nrequired = false\n"
        # Dialled by hand: the wireless rule (dnc.wireless) is not what is tested here.
        '[campaigns.default.calling]\ncall_type = "manual"\n'
    )
    result = runner.invoke(app, ["--database-url", url, "--config", str(config), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_callback_then_check_names_the_callback_time(db_url: str, tmp_path: Path) -> None:
    code, out, err = dnc(
        db_url, tmp_path, "outcome", "2015550123", "--campaign", "spring",
        "--outcome", "callback", "--at", "2026-11-23T10:00:00-05:00",
        "--callback-at", "2026-11-23T15:00:00-05:00", "--agent", "agent-7",
    )  # fmt: skip
    assert code == 0, out + err
    assert "CALLBACK_SCHEDULED" in out
    code, out, _ = dnc(
        db_url, tmp_path, "check", "2015550123", "--campaign", "spring",
        "--at", "2026-11-23T14:59:00-05:00", "--json",
    )  # fmt: skip
    assert code == 1
    verdict = json.loads(out)
    assert [r["code"] for r in verdict["reasons"]] == ["CALLBACK_SCHEDULED"]
    assert verdict["next_allowed_at"] == "2026-11-23T20:00:00+00:00"


def test_refusals_json_and_history(sqlite_url: str, tmp_path: Path) -> None:
    code, out, err = dnc(
        sqlite_url, tmp_path, "outcome", "2015550123", "--campaign", "spring",
        "--outcome", "refused", "--refusals", "3", "--note", "no, no and no", "--json",
    )  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    assert result["refusals"] == 3
    assert [r["code"] for r in result["state"]["reasons"]] == ["THREE_NOS"]
    code, out, _ = dnc(sqlite_url, tmp_path, "history", "2015550123")
    assert code == 0
    assert "outcome" in out and "three_nos" in out and "THREE_NOS" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--outcome", "maybe"], ["unknown outcome", "refused"]),
        (["--outcome", "busy", "--refusals", "2"], ["refused"]),
        (["--outcome", "callback", "--callback-at", "15:00"], ["--callback-at"]),
        (["--outcome", "sale", "--at", "2026-11-23T10:00"], ["--at", "offset"]),
    ],
)
def test_user_mistakes_are_one_line_and_exit_2(
    sqlite_url: str, tmp_path: Path, args: list[str], words: list[str]
) -> None:
    code, out, err = dnc(sqlite_url, tmp_path, "outcome", "2015550123", "--campaign", "c", *args)
    assert code == 2
    assert "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1
    for word in words:
        assert word in err


def test_outcome_has_help() -> None:
    result = runner.invoke(app, ["outcome", "--help"])
    assert result.exit_code == 0
    assert "--callback-at" in result.stdout and "--refusals" in result.stdout
