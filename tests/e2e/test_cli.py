"""The command line as a compliance officer and a script meet it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dnc.cli.app import app

runner = CliRunner()


def dnc(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--database-url", url, *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_opt_out_then_check_refuses_with_exit_1(db_url: str) -> None:
    code, out, _ = dnc(db_url, "opt-out", "+1 201 555 0123", "--note", "said stop")
    assert code == 0, out
    # 10:00 in New York: only the opt-out stands in the way.
    code, out, _ = dnc(db_url, "check", "201-555-0123", "--json", "--at", "2026-11-23T15:00:00Z")
    assert code == 1
    verdict = json.loads(out)
    assert verdict["number"] == "+12015550123"
    assert verdict["allowed"] is False
    assert [r["code"] for r in verdict["reasons"]] == ["DNC_INTERNAL"]
    assert verdict["next_allowed_at"] is None
    assert set(verdict) == {"number", "allowed", "reasons", "next_allowed_at"}


def test_clean_number_checks_with_exit_0(db_url: str) -> None:
    code, out, _ = dnc(db_url, "check", "2015550199", "--at", "2026-11-23T15:00:00Z")
    assert code == 0, out
    assert "may call" in out


def test_human_check_output_names_the_reason(sqlite_url: str) -> None:
    dnc(sqlite_url, "opt-out", "2015550123")
    code, out, _ = dnc(sqlite_url, "check", "2015550123")
    assert code == 1
    assert "DNC_INTERNAL" in out and "do not call" in out


def test_unparsable_number_exits_2_with_one_line(sqlite_url: str) -> None:
    code, out, err = dnc(sqlite_url, "check", "12345")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "12345" in err and "too short" in err


def test_unparsable_number_with_json_still_prints_the_verdict(sqlite_url: str) -> None:
    code, out, _ = dnc(sqlite_url, "check", "12345", "--json")
    assert code == 2
    verdict = json.loads(out)
    assert verdict["allowed"] is False
    assert verdict["reasons"][0]["code"] == "INVALID_NUMBER"


@pytest.mark.parametrize("at", ["2026-11-23T15:00", "tomorrow", "2026-13-01T00:00Z"])
def test_bad_at_is_a_one_line_usage_error(sqlite_url: str, at: str) -> None:
    code, out, err = dnc(sqlite_url, "check", "2015550123", "--at", at)
    assert code == 2
    assert "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1


def test_unreachable_database_fails_closed(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/nowhere"
    code, out, _ = dnc(url, "check", "2015550123", "--json")
    assert code == 1
    verdict = json.loads(out)
    assert verdict["allowed"] is False
    assert verdict["reasons"][0]["code"] == "CHECK_FAILED"


def test_list_add_show_remove(db_url: str) -> None:
    code, out, err = dnc(
        db_url, "list", "add", "2015550123", "--reason", "complaint", "--days", "30"
    )
    assert code == 0, out + err
    code, out, _ = dnc(db_url, "list", "show", "--json")
    entries = json.loads(out)
    assert [(e["number"], e["list"], e["note"]) for e in entries] == [
        ("+12015550123", "internal", "complaint")
    ]
    assert entries[0]["expires_at"] is not None
    code, out, err = dnc(db_url, "list", "remove", "2015550123")
    assert code == 2 and "--reason" in err
    code, out, _ = dnc(db_url, "list", "remove", "2015550123", "--reason", "resolved")
    assert code == 0
    code, out, _ = dnc(db_url, "list", "show", "--json")
    assert json.loads(out) == []


def test_unknown_list_name_is_a_usage_error(sqlite_url: str) -> None:
    code, _, err = dnc(sqlite_url, "list", "add", "2015550123", "--list", "vip")
    assert code == 2
    assert "vip" in err


def test_history_json_tells_the_story(sqlite_url: str) -> None:
    dnc(sqlite_url, "--actor", "agent-7", "opt-out", "2015550123", "--channel", "web")
    dnc(sqlite_url, "--actor", "officer", "list", "remove", "2015550123", "--reason", "error")
    code, out, _ = dnc(sqlite_url, "history", "+12015550123", "--json")
    assert code == 0
    assert [(r["action"], r["actor"]) for r in json.loads(out)] == [
        ("opt_out", "agent-7"),
        ("list_remove", "officer"),
    ]


def test_bad_config_names_file_and_key(tmp_path: Path, sqlite_url: str) -> None:
    cfg = tmp_path / "dnc.toml"
    cfg.write_text('default_region = "XX"\n')
    result = runner.invoke(app, ["--config", str(cfg), "--database-url", sqlite_url, "check", "1"])
    assert result.exit_code == 2
    assert str(cfg) in result.stderr and "default_region" in result.stderr


def _commands(typer_app: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for command in typer_app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        found.append((*prefix, name))
    for group in typer_app.registered_groups:
        assert group.typer_instance is not None and group.name
        found.extend(_commands(group.typer_instance, (*prefix, group.name)))
    return found


def test_every_command_has_help_with_an_example() -> None:
    commands = _commands(app)
    assert ("check",) in commands and ("list", "add") in commands
    for path in commands:
        result = runner.invoke(app, [*path, "--help"], terminal_width=200)
        assert result.exit_code == 0, path
        assert "Example:" in result.stdout, f"dnc {' '.join(path)} has no example in its help"


def test_python_dash_m_dnc_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dnc", "--help"], capture_output=True, text=True, cwd=tmp_path
    )
    assert result.returncode == 0
    assert "check" in result.stdout
