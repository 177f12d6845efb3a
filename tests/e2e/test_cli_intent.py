"""``dnc intent`` as a compliance officer and a script meet it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from dnc.cli.app import app

runner = CliRunner()


def intent(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["intent", *args], terminal_width=200)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_json_reading_of_a_german_opt_out_names_rule_and_span() -> None:
    text = "Bitte löschen Sie meine Nummer"
    code, out, _ = intent(text, "--json")
    assert code == 0, out
    reading = json.loads(out)
    assert set(reading) == {"intent", "language", "per_se", "matches", "callback"}
    assert reading["intent"] == "opt_out"
    assert reading["language"] == "de"
    assert reading["per_se"] is False
    assert reading["callback"] is None
    match = reading["matches"][0]
    assert set(match) == {"rule", "intent", "start", "end", "text"}
    assert match["rule"] == "de.opt_out.loeschen"
    assert text[match["start"] : match["end"]] == match["text"]


def test_json_callback_carries_the_hint_not_an_instant() -> None:
    code, out, _ = intent("helistage homme kell 12", "--language", "et", "--json")
    assert code == 0, out
    reading = json.loads(out)
    assert reading["intent"] == "callback_request"
    assert reading["callback"]["day_offset"] == 1
    assert reading["callback"]["at"] == "12:00"


def test_per_se_keyword_reads_as_per_se_in_human_output() -> None:
    code, out, _ = intent("STOP!!!")
    assert code == 0, out
    assert "opt_out" in out and "per-se" in out and "en.opt_out.keyword" in out


def test_question_about_the_keyword_shows_the_guard() -> None:
    code, out, _ = intent("What does STOP do?")
    assert code == 0, out
    assert out.startswith("none") and "en.none.keyword_question" in out


def test_unknown_language_is_a_one_line_usage_error() -> None:
    code, out, err = intent("stop", "--language", "xx")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "xx" in err and "Traceback" not in err


def test_company_phrase_file_adds_a_rule(tmp_path: Path) -> None:
    phrases = tmp_path / "acme.toml"
    phrases.write_text(
        'schema_version = 1\nlanguage = "en"\n\n[[rules]]\nid = "acme.opt_out.no_acme"\n'
        'intent = "opt_out"\ndescription = "Our customers say it this way"\n'
        'patterns = ["no more acme"]\nexamples = ["no more ACME please"]\n',
        encoding="utf-8",
    )
    code, out, _ = intent("no more ACME please", "--rules", str(phrases), "--json")
    assert code == 0, out
    assert json.loads(out)["matches"][0]["rule"] == "acme.opt_out.no_acme"
    code, out, _ = intent("no more ACME please", "--json")
    assert json.loads(out)["intent"] != "opt_out"


def test_bad_company_phrase_file_is_a_one_line_usage_error(tmp_path: Path) -> None:
    phrases = tmp_path / "bad.toml"
    phrases.write_text('schema_version = 1\nlanguage = "en"\n[[rules]]\nid = "x"\n')
    code, _, err = intent("stop", "--rules", str(phrases))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "bad.toml" in err


def test_python_dash_m_dnc_intent_runs_without_a_database(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dnc", "intent", "больше не звоните", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["language"] == "ru"
    assert not (tmp_path / "dnc.db").exists()
