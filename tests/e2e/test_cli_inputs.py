"""What the command line does with bad input that is not a plain refusal:
files in other encodings, decoration cleaned, outputs whole or not at all,
contradictory options, a job's run told in a sentence."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dnc.cli.app import app

runner = CliRunner()


def dnc(url: str, *args: str) -> tuple[int, str, list[str]]:
    result = runner.invoke(app, ["--database-url", url, *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr.splitlines()


def test_an_opt_out_is_recorded_whatever_its_note(db_url: str) -> None:
    code, _, err = dnc(db_url, "opt-out", "+12015550123", "--note", "caf\udce9 \x00", "--json")
    assert code == 0 and len(err) == 1 and err[0].startswith("warning: note cleaned")
    code, out, _ = dnc(db_url, "list", "show", "--json")
    assert [(e["number"], e["note"]) for e in json.loads(out)] == [("+12015550123", "caf\ufffd ")]


def test_files_are_read_by_their_byte_order_mark_or_encoding(db_url: str, tmp_path: Path) -> None:
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes("number,lead_id\n2015550101,Zoë\n".encode("utf-16"))  # with its BOM
    assert dnc(db_url, "queue", "load", str(utf16), "--campaign", "spring")[0] == 0
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("number,lead_id\n2015550102,ok\n2015550103,Zoë\n".encode("latin-1"))
    code, _, err = dnc(db_url, "queue", "load", str(latin1), "--campaign", "spring")
    assert code == 2 and err == [
        f"error: {latin1}: line 3: byte 0xEB is not utf-8 text (give its encoding, "
        "e.g. --encoding latin-1): '2015550103,Zo\\\\xeb'"
    ]
    code, _, err = dnc(
        db_url, "queue", "load", str(latin1), "--campaign", "spring", "--encoding", "latin-1"
    )
    assert code == 0, err
    code, out, _ = dnc(db_url, "queue", "show", "--campaign", "spring", "--json")
    assert sorted(e["lead_id"] for e in json.loads(out)) == ["Zoë", "Zoë", "ok"]
    code, _, err = dnc(db_url, "list", "import", str(latin1), "--encoding", "klingon")
    assert code == 2 and err == ["error: unknown encoding 'klingon' (e.g. utf-8, utf-16, latin-1)"]


def test_an_output_that_cannot_be_written_leaves_nothing(db_url: str, tmp_path: Path) -> None:
    dnc(db_url, "opt-out", "+12015550123")
    tmp_path = tmp_path / "out"  # the SQLite database lives beside
    tmp_path.mkdir()
    missing = tmp_path / "no-such-folder" / "out.csv"
    code, _, err = dnc(db_url, "list", "export", "--out", str(missing))
    assert code == 2 and len(err) == 1 and "does not exist" in err[0]
    code, _, err = dnc(db_url, "report", "--out", str(tmp_path))
    assert code == 2 and err == [f"error: {tmp_path}: is a folder, not a file"]
    assert list(tmp_path.iterdir()) == []
    done = tmp_path / "internal.csv"
    assert dnc(db_url, "list", "export", "--out", str(done))[0] == 0
    assert done.read_text().splitlines()[1].startswith("+12015550123")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["internal.csv"]


def test_contradictory_report_formats_are_refused(db_url: str) -> None:
    code, out, err = dnc(db_url, "report", "--format", "csv", "--json")
    assert code == 2 and out == ""
    assert err == ["error: --json and --format csv contradict each other: give one"]
    assert json.loads(dnc(db_url, "report", "--format", "json", "--json")[1])["since"]


def test_a_malformed_expected_head_is_a_usage_error_not_tampering(db_url: str) -> None:
    code, _, err = dnc(db_url, "audit", "verify", "--expect-head", "deadbeef")
    assert code == 2
    assert err == ["error: --expect-head 'deadbeef' is not a SHA-256 hex digest (64 hex digits)"]


def test_the_nightly_scrub_is_told_in_a_sentence_and_recorded_under_its_name(
    db_url: str,
) -> None:
    code, out, _ = dnc(db_url, "jobs", "run", "nightly-scrub")
    assert code == 0
    assert out.startswith("nightly-scrub: 0 entries scrubbed in ")
    assert "{" not in out and "-0.0" not in out
    code, out, _ = dnc(db_url, "jobs", "run", "nightly-scrub", "--json")
    assert json.loads(out)["entries"] == 0
    code, out, _ = dnc(db_url, "jobs", "history", "--job", "nightly-scrub", "--json")
    assert [r["job"] for r in json.loads(out)] == ["nightly-scrub", "nightly-scrub"]
