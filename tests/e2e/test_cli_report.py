"""dnc report, dnc purge, dnc history and shell completion, as an officer runs them."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dnc.cli.app import app

runner = CliRunner()


def dnc(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--database-url", url, *args], terminal_width=160)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _opt_outs(url: str) -> None:
    for number, channel in (("2015550101", "sms"), ("2015550102", "sms"), ("2015550103", "web")):
        dnc(url, "opt-out", number, "--channel", channel, "--at", "2026-11-02T10:00:00Z")


def test_report_json_counts_opt_outs_by_channel(db_url: str) -> None:
    _opt_outs(db_url)
    code, out, err = dnc(db_url, "report", "--date", "2026-11-02", "--json")
    assert code == 0, err
    report = json.loads(out)
    opt_outs = report["opt_outs"]
    assert (opt_outs["total"], opt_outs["by_channel"]) == (3, {"sms": 2, "web": 1})
    assert opt_outs["by_arrival"] == {"keyword": 0, "phrase": 0, "explicit": 3}
    # Given for 2 November, recorded when the test runs: the wall clock's delay.
    assert opt_outs["receipt_to_effect"]["count"] == 3
    assert opt_outs["receipt_to_effect"]["limit"] == "10 business days"
    assert (report["since"], report["until"]) == ("2026-11-02", "2026-11-02")


def test_report_table_and_csv(sqlite_url: str) -> None:
    _opt_outs(sqlite_url)
    code, out, _ = dnc(sqlite_url, "report", "--since", "2026-11-01", "--until", "2026-11-03")
    assert code == 0
    assert "Opt-outs by channel" in out and "sms" in out
    code, out, _ = dnc(sqlite_url, "report", "--date", "2026-11-02", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {"section": "opt_outs_by_channel", "day": "", "key": "sms", "metric": "opt_outs",
            "value": "2"} in rows  # fmt: skip


def test_html_report_is_written_to_a_file(sqlite_url: str, tmp_path: Path) -> None:
    _opt_outs(sqlite_url)
    target = tmp_path / "report.html"
    code, out, _ = dnc(
        sqlite_url, "report", "--date", "2026-11-02", "--format", "html", "--out", str(target)
    )
    assert code == 0 and str(target) in out
    html = target.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<script" not in html


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["--date", "yesterday"], "--date"),
        (["--date", "2026-11-02", "--since", "2026-11-01"], "not both"),
        (["--since", "2026-11-05", "--until", "2026-11-01"], "after it ends"),
        (["--format", "pdf"], "--format"),
    ],
)
def test_report_mistakes_are_one_line_exit_2(sqlite_url: str, args: list[str], word: str) -> None:
    code, out, err = dnc(sqlite_url, "report", *args)
    assert code == 2
    assert "Traceback" not in out + err and len(err.strip().splitlines()) == 1
    assert word in err


def test_purge_dry_run_then_purge_json(sqlite_url: str) -> None:
    dnc(sqlite_url, "outcome", "2015550101", "--campaign", "c", "--outcome", "sale",
        "--at", "2015-01-05T10:00:00Z")  # fmt: skip
    # An inquiry EBR lapses after 3 months: long past its keep-until, it goes.
    dnc(sqlite_url, "consent", "add", "2015550102", "--kind", "ebr_inquiry", "--brand", "acme",
        "--at", "2015-01-05T10:00:00Z")  # fmt: skip
    code, out, err = dnc(sqlite_url, "purge", "--dry-run", "--json")
    assert code == 0, err
    found = json.loads(out)
    assert found["deleted_outcomes"] == 1 and found["dry_run"] is True
    assert (found["deleted_consents"], found["deleted_consent_uses"]) == (1, 0)
    assert (found["consent_evidence_years"], found["kept_consents_in_force"]) == (5, 0)
    code, out, _ = dnc(sqlite_url, "--actor", "dpo", "purge")
    assert code == 0 and "deleted 1 call outcome" in out
    assert "deleted 1 consent(s) no longer in force" in out
    code, out, _ = dnc(sqlite_url, "audit", "export", "--format", "json")
    assert json.loads(out)[-1]["action"] == "purge"


def test_bad_retention_config_names_file_and_key(sqlite_url: str, tmp_path: Path) -> None:
    cfg = tmp_path / "dnc.toml"
    cfg.write_text("[retention]\noutcomes_years = 0\n")
    result = runner.invoke(app, ["--config", str(cfg), "--database-url", sqlite_url, "purge"])
    assert result.exit_code == 2
    assert str(cfg) in result.stderr and "retention.outcomes_years" in result.stderr


def test_history_table_names_event_summary_actor_and_reason(sqlite_url: str) -> None:
    dnc(sqlite_url, "--actor", "agent-7", "opt-out", "2015550123", "--note", "said stop")
    code, out, _ = dnc(sqlite_url, "history", "2015550123")
    assert code == 0
    for word in ("event", "summary", "opt_out", "opted out by call", "agent-7", "said stop"):
        assert word in out


def test_history_json_events_have_kind_summary_and_audit_fields(sqlite_url: str) -> None:
    dnc(sqlite_url, "opt-out", "2015550123", "--channel", "web")
    code, out, _ = dnc(sqlite_url, "history", "2015550123", "--json")
    [event] = json.loads(out)
    assert event["kind"] == event["action"] == "opt_out"
    assert event["summary"] == "opted out by web: on the internal list"
    assert event["after"]["channel"] == "web" and event["number"] == "+12015550123"


READ_COMMANDS = [
    ("check", "2015550123"),
    ("history", "2015550123"),
    ("report",),
    ("purge", "--dry-run"),
    ("list", "show"),
    ("list", "prefixes"),
    ("consent", "show", "2015550123"),
    ("registry", "status"),
    ("audit", "verify"),
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_every_read_command_prints_json(sqlite_url: str, command: tuple[str, ...]) -> None:
    _, out, err = dnc(sqlite_url, *command, "--json")
    json.loads(out)


def test_shell_completion_script_is_printed() -> None:
    # --show-completion is a flag: the shell is the one the command runs in,
    # found from its parent process, so the test runs it from a real bash.
    dnc_script = Path(sys.executable).with_name("dnc")
    done = subprocess.run(
        ["bash", "-c", f"'{dnc_script}' --show-completion"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "complete" in done.stdout and "_DNC_COMPLETE" in done.stdout.upper()
