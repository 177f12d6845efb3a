"""The audit trail is tamper-evident: any altered, deleted or reordered row is caught."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import dnc
from dnc.cli.app import app


def _tamper(service: dnc.Service, *statements: str) -> None:
    """Do what a rogue administrator could: lift the append-only guard and edit rows."""
    with service.store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
        else:
            conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_log_no_update"))
            conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        for statement in statements:
            conn.execute(sa.text(statement))


def _history(service: dnc.Service) -> None:
    service.opt_out("2015550101", actor="agent-1", note="said stop")
    service.opt_out("2015550102", actor="agent-2")
    service.remove_from_list("2015550101", reason="error", actor="officer")
    service.add_consent("2015550103", "express", brand="acme", evidence="form 1")
    service.set_preference("2015550104", not_before="10:00")


def test_an_untouched_chain_verifies(service: dnc.Service) -> None:
    _history(service)
    report = service.verify_audit()
    assert report.first_bad is None
    assert report.records == 5
    assert len(report.head) == 64


@pytest.mark.parametrize(
    ("statements", "bad_id"),
    [
        (["UPDATE audit_log SET actor = 'someone-else' WHERE id = 2"], 2),
        (["UPDATE audit_log SET reason = 'ok' WHERE id = 3"], 3),
        (["DELETE FROM audit_log WHERE id = 2"], 3),
        (
            # Swap two rows' contents and hashes: each row is self-consistent,
            # but the chain no longer follows.
            [
                "UPDATE audit_log SET id = 100 WHERE id = 2",
                "UPDATE audit_log SET id = 2 WHERE id = 3",
                "UPDATE audit_log SET id = 3 WHERE id = 100",
            ],
            2,
        ),
    ],
    ids=["update-actor", "update-reason", "delete", "reorder"],
)
def test_tampering_is_caught_and_the_first_bad_record_named(
    service: dnc.Service, statements: list[str], bad_id: int
) -> None:
    _history(service)
    _tamper(service, *statements)
    report = service.verify_audit()
    assert report.first_bad == bad_id, report


def test_cli_verify_exits_1_naming_the_record(db_url: str) -> None:
    runner = CliRunner()
    with dnc.open(db_url, create=True) as service:
        _history(service)
        head = service.verify_audit().head
    ok = runner.invoke(app, ["--database-url", db_url, "audit", "verify", "--json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["head"] == head

    with dnc.open(db_url) as service:
        _tamper(service, "DELETE FROM audit_log WHERE id = 5")
    # Cutting the last record leaves a valid shorter chain: the head kept
    # from an earlier verify catches it.
    cut = runner.invoke(
        app, ["--database-url", db_url, "audit", "verify", "--expect-head", head, "--json"]
    )
    assert cut.exit_code == 1
    assert json.loads(cut.stdout)["ok"] is False

    with dnc.open(db_url) as service:
        _tamper(service, "UPDATE audit_log SET actor = 'x' WHERE id = 4")
    bad = runner.invoke(app, ["--database-url", db_url, "audit", "verify"])
    assert bad.exit_code == 1
    assert "record 4" in bad.stderr


def test_export_filters_by_number_and_writes_csv_and_json(sqlite_url: str) -> None:
    runner = CliRunner()
    with dnc.open(sqlite_url, create=True) as service:
        _history(service)
    out = runner.invoke(
        app, ["--database-url", sqlite_url, "audit", "export", "--number", "2015550101",
              "--format", "json"]
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    assert [r["action"] for r in json.loads(out.stdout)] == ["opt_out", "list_remove"]
    csv_out = runner.invoke(app, ["--database-url", sqlite_url, "audit", "export"])
    lines = csv_out.stdout.strip().splitlines()
    assert lines[0].startswith("id,at,actor,action")
    assert len(lines) == 6
