"""dnc outcome --outcome abandoned, dnc campaign status and the report's
abandoned-call chart, as a compliance officer meets them."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from dnc.cli.app import app

runner = CliRunner()
AT = "2026-11-23T15:00:00Z"


def dnc(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--database-url", url, *args], terminal_width=160)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _calls(url: str, answered: int, abandoned: int) -> None:
    for i in range(answered):
        outcome = "abandoned" if i < abandoned else "answered"
        at = f"2026-11-20T15:{i:02d}:00Z"
        code, out, err = dnc(
            url,
            "outcome",
            f"201888{i:04d}",
            "--campaign",
            "spring",
            "--outcome",
            outcome,
            "--at",
            at,
        )
        assert code == 0, out + err


def test_campaign_status_json_and_the_check_it_stops(db_url: str) -> None:
    _calls(db_url, answered=20, abandoned=1)
    code, out, err = dnc(db_url, "campaign", "status", "spring", "--at", AT, "--json")
    assert code == 0, err
    found = json.loads(out)
    assert found["campaign"] == "spring"
    rate = found["abandon_rate"]
    assert {k: rate[k] for k in ("abandoned", "answered", "rate", "limit", "state")} == {
        "abandoned": 1,
        "answered": 20,
        "rate": 0.05,
        "limit": 0.03,
        "state": "over",
    }
    assert (rate["period_start"], rate["period_end"]) == (
        "2026-11-20T00:00:00+00:00",
        "2026-12-20T00:00:00+00:00",
    )
    code, out, _ = dnc(db_url, "check", "2017770107", "--campaign", "spring", "--at", AT, "--json")
    assert code == 1
    assert [r["code"] for r in json.loads(out)["reasons"]] == ["ABANDON_RATE"]
    code, out, _ = dnc(db_url, "campaign", "status", "spring", "--at", AT)
    assert code == 0 and "over" in out and "first answered call" in out


def test_the_report_charts_each_campaign_against_its_limit(db_url: str) -> None:
    _calls(db_url, answered=20, abandoned=1)
    code, out, err = dnc(db_url, "report", "--date", "2026-11-20", "--json")
    assert code == 0, err
    [series] = json.loads(out)["abandonment"]
    assert series["campaign"] == "spring" and series["limit"] == 0.03
    assert series["daily"] == [{"day": "2026-11-20", "answered": 20, "abandoned": 1, "rate": 0.05}]
    code, out, _ = dnc(db_url, "report", "--date", "2026-11-20", "--format", "html")
    assert "Abandoned calls per campaign" in out and "limit 3.0%" in out
    code, out, _ = dnc(db_url, "report", "--date", "2026-11-20")
    assert "Abandoned calls" in out and "5.00%" in out
