"""Consent evidence (Germany, UWG §7a, since 2021-10-01), through the service
on both databases: each consent is documented when given, every check or
claim that relied on it is recorded, and the proof is kept for 5 years after
it was given and 5 years after each use."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import dnc
from dnc.cli.app import app

BERLIN_MONDAY = datetime(2026, 11, 23, 10, tzinfo=UTC)  # 11:00 in Berlin
GIVEN = datetime(2026, 10, 1, 9, tzinfo=UTC)
GERMAN = "+493012345117"  # prior consent required
NEW_JERSEY = "+12017770107"  # no consent needed

CONFIG = '\n[campaigns.spring.calling]\nbrand = "acme"\n'


@pytest.fixture
def svc(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: dnc.FixedClock
) -> Iterator[dnc.Service]:
    cfg = tmp_path / "dnc.toml"
    cfg.write_text(Path(os.environ["DNC_CONFIG"]).read_text() + CONFIG)
    monkeypatch.setenv("DNC_CONFIG", str(cfg))
    with dnc.open(db_url, clock=clock, create=True) as service:
        yield service


def evidence(svc: dnc.Service, number: str) -> dnc.ConsentEvidence:
    [found] = svc.consent_evidence(number, brand="acme")
    return found


def test_a_call_allowed_only_by_the_consent_is_a_use_of_it(svc: dnc.Service) -> None:
    svc.add_consent(GERMAN, "express_written", brand="acme", at=GIVEN, evidence="form 88")
    assert svc.check(GERMAN, campaign="spring", at=BERLIN_MONDAY).allowed
    found = evidence(svc, GERMAN)
    assert [(u.at, u.via, u.campaign) for u in found.uses] == [(BERLIN_MONDAY, "check", "spring")]
    assert found.keep_until == datetime(2031, 11, 23, 10, tzinfo=UTC)
    assert [r.action for r in found.audit] == ["consent_add"]
    assert found.to_dict()["evidence"] == "form 88"


def test_a_call_that_needed_no_consent_or_was_refused_anyway_is_no_use(
    svc: dnc.Service,
) -> None:
    svc.add_consent(NEW_JERSEY, "express", brand="acme", at=GIVEN)
    svc.add_consent(GERMAN, "express_written", brand="acme", at=GIVEN)
    assert svc.check(NEW_JERSEY, campaign="spring", at=BERLIN_MONDAY + timedelta(hours=5)).allowed
    sunday_night = datetime(2026, 11, 22, 23, tzinfo=UTC)
    assert not svc.check(GERMAN, campaign="spring", at=sunday_night).allowed
    assert evidence(svc, NEW_JERSEY).uses == ()
    assert evidence(svc, GERMAN).uses == ()
    # Without a use, the evidence is kept 5 years from when it was given.
    assert evidence(svc, GERMAN).keep_until == datetime(2031, 10, 1, 9, tzinfo=UTC)


def test_batch_checks_and_claims_are_uses_too(svc: dnc.Service) -> None:
    svc.add_consent(GERMAN, "express_written", brand="acme", at=GIVEN)
    svc.check_many([GERMAN, NEW_JERSEY], campaign="spring", at=BERLIN_MONDAY)
    svc.enqueue("spring", GERMAN, at=BERLIN_MONDAY)
    later = BERLIN_MONDAY + timedelta(hours=1)
    assert [e.number for e in svc.next_calls("spring", 5, at=later)] == [GERMAN]
    uses = [(u.at, u.via) for u in evidence(svc, GERMAN).uses]
    assert uses == [(BERLIN_MONDAY, "check"), (later, "claim")]


def test_the_evidence_outlives_a_revocation_and_a_purge_before_its_keep_until(
    svc: dnc.Service,
) -> None:
    # Past its keep-until a purge deletes it: test_consent_purge_contract.py.
    svc.add_consent(GERMAN, "express_written", brand="acme", at=GIVEN)
    svc.check(GERMAN, campaign="spring", at=BERLIN_MONDAY)
    svc.revoke_consent(GERMAN, brand="acme", reason="asked by e-mail", at=BERLIN_MONDAY)
    day_before = datetime(2031, 11, 22, 10, tzinfo=UTC)
    assert svc.purge(at=day_before).deleted_consents == 0
    found = evidence(svc, GERMAN)
    assert len(found.uses) == 1
    assert [r.action for r in found.audit] == ["consent_add", "consent_revoke"]


def test_consent_show_exports_the_evidence(svc: dnc.Service, db_url: str) -> None:
    svc.add_consent(GERMAN, "express_written", brand="acme", at=GIVEN, evidence="form 88")
    svc.add_consent(GERMAN, "express", campaign="autumn", at=GIVEN)
    svc.check(GERMAN, campaign="spring", at=BERLIN_MONDAY)
    result = CliRunner().invoke(
        app, ["--database-url", db_url, "consent", "show", GERMAN, "--brand", "acme", "--json"]
    )
    assert result.exit_code == 0, result.output
    [found] = json.loads(result.stdout)
    assert (found["brand"], found["evidence"], found["use_count"]) == ("acme", "form 88", 1)
    assert found["uses"] == [
        {"at": BERLIN_MONDAY.isoformat(), "via": "check", "campaign": "spring"}
    ]
    assert found["keep_until"] == "2031-11-23T10:00:00+00:00"
    assert [r["action"] for r in found["audit"]] == ["consent_add"]
