"""``dnc reply``: a reply recorded from the command line, one or a file of them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dnc.cli.app import app

runner = CliRunner()


def dnc(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--database-url", url, *args], terminal_width=200)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_a_texted_stop_is_an_opt_out_and_the_check_refuses(db_url: str) -> None:
    code, out, err = dnc(db_url, "reply", "+12015550123", "--text", "STOP", "--channel", "sms")
    assert code == 0, out + err
    assert "opt_out" in out and "internal do-not-call list" in out
    code, out, _ = dnc(db_url, "check", "2015550123", "--json")
    assert "DNC_INTERNAL" in [r["code"] for r in json.loads(out)["reasons"]]


def test_reply_json_names_the_reading_and_the_effect(db_url: str) -> None:
    code, out, _ = dnc(
        db_url, "reply", "2015550123", "--text", "not interested", "--campaign", "spring", "--json"
    )
    assert code == 0, out
    done = json.loads(out)
    assert done["reading"]["intent"] == "refusal" and done["effect"] == "refused"
    assert done["outcome_id"] is not None


def test_a_refusal_without_a_campaign_says_so(db_url: str) -> None:
    code, out, err = dnc(db_url, "reply", "2015550123", "--text", "no thanks")
    assert code == 0
    assert "needs --campaign" in out and len(err.strip().splitlines()) == 1


def test_reply_import_and_its_bad_line(db_url: str, tmp_path: Path) -> None:
    good = tmp_path / "replies.csv"
    good.write_text("number,text,received_at,channel\n2015550101,STOP,2026-11-23T08:00:00Z,sms\n")
    code, out, err = dnc(db_url, "reply", "import", str(good), "--json")
    assert code == 0, out + err
    assert json.loads(out) == {"file": str(good), "read": 1, "effects": {"opt_out": 1}}
    bad = tmp_path / "bad.csv"
    bad.write_text("number,text,received_at,channel\n2015550102,STOP,2026-11-23,fax\n")
    code, out, err = dnc(db_url, "reply", "import", str(bad))
    assert code == 2 and "Traceback" not in out + err
    assert "line 2" in err and len(err.strip().splitlines()) == 1
