"""The audit chain is anchored outside the database, and the state is
reconciled with the log: what a rogue administrator who can drop the
append-only triggers does is caught (issue 12, part 2)."""

from __future__ import annotations

import json
import os
import socket
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import dnc
from dnc.audit import chain_hash
from dnc.cli.app import app

runner = CliRunner()


def _no_registries_required() -> str:
    """The suite's configuration (tests/conftest.py puts it in DNC_CONFIG)."""
    return Path(os.environ["DNC_CONFIG"]).read_text()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """Registries not required, anchors in a file of the test's own (PostgreSQL
    has no default anchor file)."""
    path = tmp_path / "dnc.toml"
    path.write_text(
        _no_registries_required() + f'[audit]\nanchor_file = "{tmp_path / "anchors"}"\n'
    )
    return path


@pytest.fixture
def svc(db_url: str, config: Path, clock: dnc.FixedClock) -> dnc.Service:
    service = dnc.open(db_url, config, clock=clock, create=True)
    yield service
    service.close()


def _tamper(service: dnc.Service, *statements: str, params: list[dict] | None = None) -> None:
    """What anyone holding the file, or a superuser, can do: drop the guard."""
    with service.store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log"))
        else:
            conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_log_no_update"))
            conn.execute(sa.text("DROP TRIGGER IF EXISTS audit_log_no_delete"))
        for statement in statements:
            conn.execute(sa.text(statement), params or {})


def _history(service: dnc.Service) -> None:
    service.opt_out("2015550101", actor="agent-1", note="said stop")
    service.add_to_list("2015550102", actor="agent-2")
    service.block_prefix("+1201555099", actor="officer")
    service.add_consent("2015550103", "express", brand="acme", evidence="form 1")
    service.set_preference("2015550104", not_before="10:00")


def _cli(db_url: str, config: Path, *args: str) -> object:
    return runner.invoke(app, ["--database-url", db_url, "--config", str(config), *args])


def test_every_job_run_anchors_and_verify_holds_the_chain_to_the_latest(
    svc: dnc.Service, config: Path
) -> None:
    _history(svc)
    counts = svc.run_job("consent-expiry")
    assert counts["audit_anchor"]["records"] == 5
    lines = (config.parent / "anchors").read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["records"] == 5
    report = svc.verify_audit()
    assert report.ok, report
    assert report.anchor is not None and report.anchor.anchor.records == 5
    # Records written after the anchor are not a problem: the anchored one is still there.
    svc.set_preference("2015550104", not_before="11:00")
    later = svc.verify_audit()
    assert later.ok and later.records == 6 and later.lost == 0


def test_a_cut_tail_is_caught_against_the_anchor_with_the_count_lost(
    db_url: str, svc: dnc.Service, config: Path
) -> None:
    _history(svc)
    svc.set_preference("2015550105", not_before="09:30")
    svc.set_preference("2015550106", not_before="09:30")
    anchored = _cli(db_url, config, "audit", "anchor", "--json")
    assert anchored.exit_code == 0, anchored.output
    assert json.loads(anchored.stdout)["records"] == 7
    # The last two records (preferences: not reconciled) cut off the end: the
    # shorter chain is valid in itself.
    _tamper(svc, "DELETE FROM audit_log WHERE id > 5")
    report = svc.verify_audit()
    assert report.first_bad is None and not report.disagreements
    assert not report.ok
    assert report.lost == 2
    cli = _cli(db_url, config, "audit", "verify")
    assert cli.exit_code == 1
    assert "TAMPERED" in cli.stderr and "2 records lost" in cli.stderr
    as_json = json.loads(_cli(db_url, config, "audit", "verify", "--json").stdout)
    assert as_json["ok"] is False and as_json["lost"] == 2 and as_json["anchor"]["records"] == 7
    # Without the anchor the chain alone cannot tell.
    assert _cli(db_url, config, "audit", "verify", "--no-anchor").exit_code == 0


def test_a_rewritten_chain_is_caught_against_the_anchor(
    db_url: str, svc: dnc.Service, config: Path
) -> None:
    _history(svc)
    svc.anchor_audit()  # 5 records
    svc.set_preference("2015550105", not_before="09:30")
    svc.set_preference("2015550106", not_before="09:30")
    svc.anchor_audit()  # 7 records
    # Edit record 6 and recompute every later hash: the chain is whole again.
    records = svc.audit_records()
    prev = records[4].hash or ""
    rewritten = []
    for record in records[5:]:
        changed = replace(record, actor="someone-else" if record.id == 6 else record.actor)
        digest = chain_hash(prev, changed)
        rewritten.append({"id": record.id, "actor": changed.actor, "prev": prev, "hash": digest})
        prev = digest
    for row in rewritten:
        _tamper(
            svc,
            "UPDATE audit_log SET actor = :actor, prev_hash = :prev, hash = :hash WHERE id = :id",
            params=[row],
        )
    report = svc.verify_audit()
    assert report.first_bad is None
    assert not report.ok and report.lost == 2
    assert report.anchor is not None and "still matches the anchor" in (report.anchor.problem or "")
    cli = _cli(db_url, config, "audit", "verify")
    assert cli.exit_code == 1 and "2 records lost" in cli.stderr


def test_a_deleted_list_row_is_caught_by_reconciling_the_state_with_the_log(
    db_url: str, svc: dnc.Service, config: Path
) -> None:
    _history(svc)
    [entry] = svc.list_entries(number="2015550101")
    # Deleting the opt-out's row leaves the log alone: the number is callable.
    with svc.store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM list_entry WHERE id = :id"), {"id": entry.id})
    assert svc.check("2015550101").allowed
    report = svc.verify_audit()
    assert report.first_bad is None and not report.ok
    [found] = report.disagreements
    assert (found.kind, found.id, found.number) == ("list entry", entry.id, "+12015550101")
    assert "deleted" in found.problem
    cli = _cli(db_url, config, "audit", "verify")
    assert cli.exit_code == 1 and "list entry" in cli.stderr


@pytest.mark.parametrize(
    ("statement", "kind", "problem"),
    [
        (
            "UPDATE list_entry SET removed_at = created_at WHERE number = 12015550102",
            "list entry",
            "ended",
        ),
        (
            "UPDATE list_entry SET number = 12015550199 WHERE number = 12015550102",
            "list entry",
            "now holds",
        ),
        ("DELETE FROM prefix_block", "prefix block", "deleted"),
        ("UPDATE consent SET revoked_at = granted_at", "consent", "ended"),
        (
            "INSERT INTO list_entry (number, source, created_at, recorded_at, actor)"
            " VALUES (12015550177, 'manual', '2026-11-23 15:00:00', '2026-11-23 15:00:00', 'x')",
            "list entry",
            "no audit record",
        ),
        (
            "INSERT INTO consent (number, brand, kind, granted_at, actor, recorded_at)"
            " VALUES (12015550178, 'acme', 'express', '2026-11-23 15:00:00', 'x',"
            " '2026-11-23 15:00:00')",
            "consent",
            "no audit record",
        ),
    ],
    ids=[
        "removed-silently",
        "number-changed",
        "block-deleted",
        "consent-revoked",
        "entry-slipped-in",
        "consent-slipped-in",
    ],
)
def test_every_disagreement_between_tables_and_log_is_named(
    svc: dnc.Service, statement: str, kind: str, problem: str
) -> None:
    _history(svc)
    assert svc.verify_audit().ok
    with svc.store.engine.begin() as conn:
        conn.execute(sa.text(statement))
    report = svc.verify_audit()
    assert not report.ok
    assert [d.kind for d in report.disagreements] == [kind], report.disagreements
    assert problem in report.disagreements[0].problem


def test_a_removal_through_the_service_keeps_state_and_log_in_agreement(svc: dnc.Service) -> None:
    _history(svc)
    svc.remove_from_list("2015550101", reason="asked back in", actor="officer")
    svc.unblock_prefix("+1201555099", reason="ended", actor="officer")
    svc.revoke_consent("2015550103", brand="acme", reason="withdrawn")
    assert svc.verify_audit().ok


def test_sqlite_anchors_next_to_its_file_by_default(sqlite_url: str, clock: dnc.FixedClock) -> None:
    with dnc.open(sqlite_url, clock=clock, create=True) as service:
        _history(service)
        made, where = service.anchor_audit()
    path = Path(sqlite_url.removeprefix("sqlite:///") + ".anchors")
    assert where == [str(path)]
    assert json.loads(path.read_text())["head"] == made.head


def test_postgresql_anchors_nowhere_unless_configured(pg_url: str) -> None:
    dnc.open(pg_url, create=True).close()
    result = runner.invoke(app, ["--database-url", pg_url, "audit", "anchor"])
    assert result.exit_code == 2
    assert "nowhere to anchor" in result.stderr


def test_anchors_go_to_syslog_where_configured(sqlite_url: str, tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", 0))
        server.settimeout(5)
        port = server.getsockname()[1]
        config = tmp_path / "syslog.toml"
        config.write_text(
            _no_registries_required()
            + f'[audit]\nanchor_file = "none"\nsyslog = true\nsyslog_address = "127.0.0.1:{port}"\n'
            + 'syslog_facility = "local3"\n'
        )
        with dnc.open(sqlite_url, config, create=True) as service:
            _history(service)
            made, where = service.anchor_audit()
        message = server.recv(4096).decode()
    assert where == [f"syslog 127.0.0.1:{port}"]
    assert message.startswith(f"<{19 * 8 + 6}>")  # local3.info
    assert made.head in message and '"records": 5' in message
