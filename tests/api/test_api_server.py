"""Real ``dnc serve`` processes on free ports, talked to over HTTP: what a
dialer in any language sees, and many servers over one PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

import dnc

NUMBER = "+12015550123"
AT = "2026-11-23T15:00:00Z"  # a past instant in calling hours: valid on any date

Start = Callable[..., Any]


def _keys(db_url: str) -> tuple[str, str]:
    with dnc.open(db_url, create=True) as service:
        write = service.create_api_key("dialer-7", ["write"]).secret
        check = service.create_api_key("reader", ["check"]).secret
    return write, check


def test_a_server_answers_a_dialer_over_http(sqlite_url: str, servers: Start) -> None:
    write, check = _keys(sqlite_url)
    server = servers(sqlite_url)
    with server.client(check) as reader, server.client(write) as dialer:
        assert reader.get("/openapi.json").json()["openapi"].startswith("3.1")
        first = reader.get(f"/v1/numbers/{NUMBER}/verdict", params={"at": AT})
        assert first.status_code == 200
        assert first.json()["allowed"] is True
        assert reader.post("/v1/opt-outs", json={"number": NUMBER}).status_code == 403
        made = dialer.post(
            "/v1/opt-outs", json={"number": NUMBER}, headers={"Idempotency-Key": "k1"}
        )
        again = dialer.post(
            "/v1/opt-outs", json={"number": NUMBER}, headers={"Idempotency-Key": "k1"}
        )
        assert (made.status_code, again.status_code) == (201, 201)
        assert made.json()["id"] == again.json()["id"]
        after = reader.get(f"/v1/numbers/{NUMBER}/verdict", params={"at": AT}).json()
        assert after["reasons"][0]["code"] == "DNC_INTERNAL"
        assert reader.get("/readyz").status_code == 200
        assert "dnc_verdicts_total" in reader.get("/metrics").text
        assert reader.get("/docs").status_code == 200


def test_a_missing_database_stops_the_server_at_start(tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from dnc.cli.app import app

    result = CliRunner().invoke(
        app, ["--database-url", f"sqlite:///{tmp_path / 'absent.db'}", "serve"]
    )
    assert result.exit_code == 3
    assert "no dnc database" in result.output
    assert not (tmp_path / "absent.db").exists()


@pytest.mark.postgres
@pytest.mark.slow
def test_an_opt_out_on_one_server_is_refused_by_another_at_once(
    pg_url: str, servers: Start
) -> None:
    write, check = _keys(pg_url)
    one = servers(pg_url)
    two = servers(pg_url, DNC_API_KEY_TTL="0.2")
    with one.client(write) as via_one, two.client(check) as via_two:
        assert via_two.get(f"/v1/numbers/{NUMBER}/verdict", params={"at": AT}).json()["allowed"]
        assert via_one.post("/v1/opt-outs", json={"number": NUMBER}).status_code == 201
        # The very next verdict on the other process, no wait.
        next_verdict = via_two.get(f"/v1/numbers/{NUMBER}/verdict", params={"at": AT})
        assert next_verdict.status_code == 200
        assert next_verdict.json()["allowed"] is False
        assert next_verdict.json()["reasons"][0]["code"] == "DNC_INTERNAL"
        batch = via_two.post("/v1/verdicts", json={"numbers": [NUMBER], "at": AT})
        assert batch.json()["verdicts"][0]["allowed"] is False

        # A key revoked through the store stops working on the other server
        # within its key TTL.
        with dnc.open(pg_url) as service:
            service.revoke_api_key("reader", actor="ops")
        deadline = time.monotonic() + 5
        status = 200
        while status != 401 and time.monotonic() < deadline:
            status = via_two.get(f"/v1/numbers/{NUMBER}/verdict").status_code
            time.sleep(0.05)
        assert status == 401
