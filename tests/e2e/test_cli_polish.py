"""The command line as a compliance officer reads it, in a terminal and piped."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from dnc.cli import render
from dnc.cli.app import app

runner = CliRunner()
BOX = re.compile("[\u2500-\u257f]")
E164 = re.compile(r"\+\d{8,15}")


def dnc(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--database-url", url, *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _commands() -> list[list[str]]:
    found: list[list[str]] = [[]]

    def walk(command: object, path: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            found.append([*path, name])
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = _commands()


def test_every_command_is_enumerated() -> None:
    assert ["check"] in COMMANDS and ["queue", "load"] in COMMANDS and len(COMMANDS) > 30


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "dnc")
def test_help_fits_100_columns_and_names_types_as_words(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "100"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    for python_type in ("<bool>", "<str>", "<int>", "<path>"):
        assert python_type not in result.stdout
    usage = next(line for line in lines if "Usage:" in line)
    assert "{" not in usage, usage
    assert re.search(r"\[[a-z_]+\]", usage) is None, usage  # an argument is NAME, not [name]


def test_help_says_what_a_value_is() -> None:
    out = runner.invoke(app, ["check", "--help"], env={"COLUMNS": "100"}).stdout
    assert "Usage: dnc check [OPTIONS] NUMBER" in out
    assert re.search(r"--at\s+TIME", out) and re.search(r"--json\s+Print", out)
    out = runner.invoke(app, ["report", "--help"], env={"COLUMNS": "100"}).stdout
    assert re.search(r"--since\s+DATE", out) and re.search(r"--out\s+PATH", out)
    out = runner.invoke(app, ["jobs", "history", "--help"], env={"COLUMNS": "100"}).stdout
    assert re.search(r"--limit\s+INTEGER", out)


def test_a_command_list_line_is_one_paragraph_never_cut_mid_sentence() -> None:
    out = runner.invoke(app, ["--help"], env={"COLUMNS": "100"}).stdout
    # The history help's first paragraph runs over three source lines.
    assert "list entries and removals, prefix blocks, registry listings" in " ".join(
        line.strip(" │") for line in out.splitlines()
    ).replace("  ", " ")
    assert "[retention] outcomes_years" in runner.invoke(app, ["purge", "--help"]).stdout


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert re.fullmatch(r"dnc \d+\.\d+\.\d+\S*\n", result.stdout)


def test_piped_tables_are_tab_separated_without_box_drawing(sqlite_url: str) -> None:
    for n in ("2015550123", "2015550124"):
        dnc(sqlite_url, "list", "add", n, "--reason", "complaint\twith a tab\nand a line")
    code, out, _ = dnc(sqlite_url, "list", "show")
    assert code == 0
    assert not BOX.search(out)
    lines = out.splitlines()
    assert lines[0] == "# 2 entries"
    header = lines[1].split("\t")
    assert header[:2] == ["number", "list"]
    rows = [line.split("\t") for line in lines[2:]]
    assert [r[0] for r in rows] == ["+12015550123", "+12015550124"]
    assert all(len(r) == len(header) for r in rows)
    assert rows[0][header.index("note")] == "complaint with a tab and a line"


def test_in_an_80_column_terminal_numbers_and_codes_never_split(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = Console(force_terminal=True, width=80, record=True, color_system=None)
    monkeypatch.setattr(render, "console", terminal)
    numbers = [f"+4420794600{i:02d}" for i in range(5)]
    render.print_table(
        "queue spring",
        [render.key("number"), render.key("status"), render.moment("not before")]
        + [render.key("lead"), render.text("reasons")],
        [
            (n, "deferred", "08:00 CST Thu 3 Dec (14:00 UTC)", f"lead-{n}", "CALLING_HOURS: " * 9)
            for n in numbers
        ],
    )
    out = terminal.export_text()
    assert max(len(line) for line in out.splitlines()) <= 80
    for n in numbers:
        assert n in out and f"lead-{n}" in out
    assert "08:00 CST" in out  # a time may wrap, between its words


def test_human_times_read_local_beside_utc_and_json_keeps_iso(sqlite_url: str) -> None:
    code, out, _ = dnc(
        sqlite_url, "outcome", "2015550123", "--campaign", "spring", "--outcome", "no_answer",
        "--at", "2026-11-23T15:00:17.5+00:00",
    )  # fmt: skip
    assert code == 0, out
    assert re.search(r"next allowed \d\d:\d\d EST Mon 23 Nov( 2026)? \(\d\d:\d\d UTC\)", out), out
    assert "15:00 UTC" in out and ".5" not in out and "T15" not in out
    code, out, _ = dnc(
        sqlite_url, "check", "2015550123", "--campaign", "spring", "--at", "2026-11-23T15:30:00Z"
    )
    assert code == 1
    assert re.search(r"next allowed: \d\d:\d\d EST Mon 23 Nov( 2026)? \(\d\d:\d\d UTC\)", out)
    code, out, _ = dnc(
        sqlite_url, "check", "2015550123", "--campaign", "spring", "--at", "2026-11-23T15:30:00Z",
        "--json",
    )  # fmt: skip
    assert re.fullmatch(
        r".*\"next_allowed_at\": \"2026-11-23T\d\d:\d\d:\d\d(\.\d+)?\+00:00\"}\n", out
    )


def test_a_number_too_long_at_home_is_suggested_in_the_registry_regions(sqlite_url: str) -> None:
    code, out, err = dnc(sqlite_url, "check", "020 7946 0000")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "too long" in err and "read as a US number" in err
    assert "did you mean +44 20 7946 0000?" in err


def test_counts_have_thousands_separators(sqlite_url: str, tmp_path: Path) -> None:
    leads = tmp_path / "leads.csv"
    leads.write_text("number\n" + "".join(f"+1201555{i:04d}\n" for i in range(1200)))
    code, out, _ = dnc(sqlite_url, "queue", "load", str(leads), "--campaign", "spring")
    assert code == 0, out
    assert "1,200 read, 1,200 added, 0 already queued" in out


def test_prefer_updates_only_what_it_names_and_shows_the_record(sqlite_url: str) -> None:
    dnc(sqlite_url, "prefer", "2015550123", "--not-before", "10:00")
    code, out, _ = dnc(sqlite_url, "prefer", "2015550123", "--days", "mon-fri")
    assert code == 0
    assert out == "+12015550123: not before 10:00, only mon,tue,wed,thu,fri\n"
    code, out, _ = dnc(sqlite_url, "prefer", "2015550123", "--show", "--json")
    assert json.loads(out) == {
        "number": "+12015550123",
        "preference": "not before 10:00, only mon,tue,wed,thu,fri",
        "not_before": "10:00",
        "not_after": None,
        "days": "mon,tue,wed,thu,fri",
    }
    dnc(sqlite_url, "prefer", "2015550123", "--clear")
    assert dnc(sqlite_url, "prefer", "2015550123", "--show")[1] == "+12015550123: no preference\n"
    code, _, err = dnc(sqlite_url, "prefer", "2015550123", "--show", "--days", "sat")
    assert code == 2 and "not more than one" in err
