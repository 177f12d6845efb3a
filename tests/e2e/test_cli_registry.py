"""``dnc registry`` and the list file commands, as an operator meets them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dnc.cli.app import app

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
AT = "2026-11-24T18:00:00Z"
runner = CliRunner()


def dnc(url: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--database-url", url, *args], env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def packaged(tmp_path: Path) -> dict[str, str]:
    """Run with the packaged configuration: every national registry required."""
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    return {"DNC_CONFIG": str(empty)}


def test_import_status_and_check(db_url: str, packaged: dict[str, str]) -> None:
    code, out, err = dnc(
        db_url, "registry", "import", str(SAMPLES / "ftc-full-201-305-comma.zip"),
        "--registry", "us-national", "--as-of", "2026-11-20", env=packaged,
    )  # fmt: skip
    assert code == 0, out + err
    assert "read 1,200, added 1,200, removed 0, skipped 0" in out
    code, out, _ = dnc(db_url, "registry", "status", "--json", "--at", AT, env=packaged)
    status = {r["registry"]: r for r in json.loads(out)}
    assert status["us-national"]["as_of"] == "2026-11-20"
    assert status["us-national"]["size"] == 1200 and status["us-national"]["state"] == "fresh"
    assert status["uk-tps"]["state"] == "missing"
    code, out, _ = dnc(db_url, "check", "2012001956", "--at", AT, "--json", env=packaged)
    assert code == 1
    # Out of the box a check without a declared dialing method is autodialed,
    # and a US number's line is unknown: the wireless rule too (dnc.wireless).
    assert [r["code"] for r in json.loads(out)["reasons"]] == ["DNC_REGISTRY", "CONSENT_REQUIRED"]
    code, out, _ = dnc(db_url, "check", "+442079695374", "--at", AT, "--json", env=packaged)
    assert [r["code"] for r in json.loads(out)["reasons"]] == ["REGISTRY_STALE"]


def test_a_bad_line_is_one_line_exit_2_naming_file_line_and_value(
    sqlite_url: str, tmp_path: Path, packaged: dict[str, str]
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("2015550123\n20155501ZZ\n")
    code, out, err = dnc(
        sqlite_url, "registry", "import", str(bad), "--registry", "us-national", env=packaged
    )
    assert code == 2 and "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1
    assert str(bad) in err and "line 2" in err and "20155501ZZ" in err
    code, out, _ = dnc(sqlite_url, "registry", "status", "--json", env=packaged)
    assert {r["registry"]: r["state"] for r in json.loads(out)}["us-national"] == "missing"


@pytest.mark.parametrize(
    "args",
    [
        ["--registry", "nope"],
        ["--registry", "us-national", "--as-of", "yesterday"],
        ["--registry", "us-national", "--format", "xml"],
    ],
)
def test_user_mistakes_are_one_line_exit_2(sqlite_url: str, args: list[str]) -> None:
    code, out, err = dnc(sqlite_url, "registry", "import", str(SAMPLES / "dncl-416.csv"), *args)
    assert code == 2 and "Traceback" not in out + err
    assert len(err.strip().splitlines()) == 1


def test_missing_file_is_one_line_exit_2(sqlite_url: str, tmp_path: Path) -> None:
    code, _, err = dnc(
        sqlite_url, "registry", "import", str(tmp_path / "none.zip"), "--registry", "ca-dncl"
    )
    assert code == 2 and "none.zip" in err and len(err.strip().splitlines()) == 1


def test_skip_invalid_reports_the_count_and_first_lines(sqlite_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("2015550123\nxx\n2015550124\n")
    code, out, err = dnc(
        sqlite_url, "registry", "import", str(bad), "--registry", "us-national", "--skip-invalid"
    )
    assert code == 0, err
    assert "skipped 1" in out and "line 2 'xx'" in out


def test_change_list_through_the_cli(sqlite_url: str, tmp_path: Path) -> None:
    dnc(sqlite_url, "registry", "import", str(SAMPLES / "dncl-416.csv"), "--registry", "ca-dncl")
    changes = tmp_path / "changes.csv"
    changes.write_text("4165550123,A\n4162001498,D\n")
    code, out, err = dnc(
        sqlite_url, "registry", "import", str(changes), "--registry", "ca-dncl", "--changes"
    )
    assert code == 0, err
    assert "added 1, removed 1" in out


def test_prefix_add_show_and_check(sqlite_url: str) -> None:
    code, out, err = dnc(sqlite_url, "list", "add", "+1201555", "--prefix", "--reason", "test")
    assert code == 0, err
    code, out, _ = dnc(sqlite_url, "list", "prefixes", "--json")
    assert [b["prefix"] for b in json.loads(out)] == ["+1201555"]
    code, out, _ = dnc(sqlite_url, "check", "2015550123", "--at", AT, "--json")
    assert [r["code"] for r in json.loads(out)["reasons"]] == ["DNC_PREFIX"]
    code, _, err = dnc(sqlite_url, "list", "add", "1201", "--prefix")
    assert code == 2 and "1201" in err


def test_list_import_and_export(sqlite_url: str, tmp_path: Path) -> None:
    code, out, err = dnc(
        sqlite_url, "list", "import", str(SAMPLES / "generic.csv"), "--list", "campaign:spring"
    )
    assert code == 0, err
    assert "added 41" in out
    target = tmp_path / "spring.csv"
    code, _, err = dnc(
        sqlite_url, "list", "export", "--list", "campaign:spring", "--out", str(target)
    )
    assert code == 0, err
    lines = target.read_text().splitlines()
    assert lines[0] == "number,added,expires,reason,kind" and len(lines) == 42
    code, out, _ = dnc(sqlite_url, "list", "export", "--list", "campaign:spring")
    assert out.splitlines() == lines


def test_reassigned_numbers_import_voids_an_older_consent(db_url: str, tmp_path: Path) -> None:
    """``--format reassigned``: the consent given before the disconnect no
    longer lifts the registry; a bad line is one line, exit 2, nothing changed."""
    dnc(db_url, "registry", "import", str(SAMPLES / "ftc-full-201-305.txt"),
        "--registry", "us-national", "--as-of", "2026-11-20")  # fmt: skip
    dnc(db_url, "consent", "add", "2012001956", "--campaign", "spring",
        "--kind", "express_written", "--at", "2026-10-01T12:00:00Z")  # fmt: skip
    bad = tmp_path / "bad.csv"
    bad.write_text("number,disconnected_on\n2012001956,2026-11-01\n2012001956,yesterday\n")
    code, out, err = dnc(db_url, "registry", "import", str(bad), "--registry", "us-reassigned",
                         "--format", "reassigned", "--as-of", "2026-11-20")  # fmt: skip
    assert code == 2 and "Traceback" not in out + err
    assert "line 3" in err and "yesterday" in err and len(err.strip().splitlines()) == 1
    code, out, _ = dnc(db_url, "check", "2012001956", "--campaign", "spring", "--at", AT)
    assert code == 0, out
    good = tmp_path / "good.csv"
    good.write_text("number,disconnected_on\n2012001956,2026-11-01\n")
    code, out, err = dnc(db_url, "registry", "import", str(good), "--registry", "us-reassigned",
                         "--format", "reassigned", "--as-of", "2026-11-20")  # fmt: skip
    assert code == 0, out + err
    assert "us-reassigned: full list as of 2026-11-20" in out
    code, out, _ = dnc(db_url, "check", "2012001956", "--campaign", "spring", "--at", AT, "--json")
    assert code == 1
    assert [r["code"] for r in json.loads(out)["reasons"]] == ["DNC_REGISTRY", "REASSIGNED"]
    code, out, _ = dnc(db_url, "history", "2012001956", "--json")
    assert "number_disconnected" in {e["kind"] for e in json.loads(out)}


def test_history_says_when_a_number_entered_and_left_the_registry(
    db_url: str, tmp_path: Path
) -> None:
    first = tmp_path / "first.txt"
    first.write_text("2015550101\n2015550102\n")
    second = tmp_path / "second.txt"
    second.write_text("2015550101\n2015550103\n")
    for path, as_of in ((first, "2026-11-01"), (second, "2026-11-20")):
        code, out, err = dnc(db_url, "registry", "import", str(path), "--registry", "us-national",
                             "--as-of", as_of)  # fmt: skip
        assert code == 0, out + err
    code, out, _ = dnc(db_url, "history", "2015550102")
    assert code == 0
    assert "on us-national since at least 2026-11-01" in out
    assert "left us-national (as of 2026-11-20)" in out
    code, out, _ = dnc(db_url, "history", "2015550103", "--json")
    [entered] = [e for e in json.loads(out) if e["kind"] == "registry_entered"]
    assert entered["summary"] == "entered us-national (as of 2026-11-20)"
    assert entered["subject"] == "registry:us-national"
    assert {k: entered["details"][k] for k in ("registry", "direction", "as_of", "swap")} == {
        "registry": "us-national",
        "direction": "entered",
        "as_of": "2026-11-20",
        "swap": "full",
    }


def test_wireless_line_types_import_decides_autodialed_calls(db_url: str, tmp_path: Path) -> None:
    """``--format wireless``: a number listed wireless is refused to a predictive
    campaign without written consent, one ported to wireline is not."""
    config = tmp_path / "dnc.toml"
    config.write_text(
        Path(os.environ["DNC_CONFIG"]).read_text()
        + '[campaigns.robo.calling]\ncall_type = "predictive"\n'
    )
    env = {"DNC_CONFIG": str(config)}
    data = tmp_path / "lines.csv"
    data.write_text("number,line_type\n2015550123,wireless\n2015550124,ported-to-wireline\n")
    code, out, err = dnc(db_url, "registry", "import", str(data), "--registry", "us-wireless",
                         "--format", "wireless", "--as-of", "2026-11-20", env=env)  # fmt: skip
    assert code == 0, out + err
    assert "us-wireless: full list as of 2026-11-20" in out
    code, out, _ = dnc(
        db_url, "check", "2015550123", "--campaign", "robo", "--at", AT, "--json", env=env
    )
    assert code == 1, out
    [reason] = json.loads(out)["reasons"]
    assert reason["code"] == "CONSENT_REQUIRED" and "64.1200(a)(1)(iii)" in reason["detail"]
    code, out, _ = dnc(db_url, "check", "2015550124", "--campaign", "robo", "--at", AT, env=env)
    assert code == 0, out


def test_a_snapshot_folder_that_cannot_be_made_is_named_with_its_setting(
    db_url: str, tmp_path: Path
) -> None:
    """storage.snapshot_dir under a plain file: one line naming the setting, a
    non-zero exit, and the registry left as it was (no snapshot)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    config = tmp_path / "dnc.toml"
    suite = Path(os.environ["DNC_CONFIG"]).read_text()
    assert "[storage]\n" in suite
    config.write_text(
        suite.replace("[storage]\n", f'[storage]\nsnapshot_dir = "{blocker / "snapshots"}"\n')
    )
    env = {"DNC_CONFIG": str(config)}
    code, out, err = dnc(db_url, "registry", "import", str(SAMPLES / "ftc-full-201-305.txt"),
                         "--registry", "us-national", "--as-of", "2026-11-20", env=env)  # fmt: skip
    assert code != 0
    [line] = err.strip().splitlines()
    assert "storage.snapshot_dir" in line and str(blocker) in line
    code, out, _ = dnc(db_url, "registry", "status", "--json", env=env)
    assert code == 0 and "us-national" in out
    assert all(s["size"] in (0, None) for s in json.loads(out) if s["registry"] == "us-national")
