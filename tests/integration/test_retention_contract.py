"""The retention purge forgets old call outcomes, never an opt-out or a suppression."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

import dnc
from dnc.storage.schema import CallOutcomeRow, table
from dnc.verdicts import ReasonCode

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=6 * 365)
SUPPRESSED, OPTED_OUT, ORDINARY = "2015550101", "2015550102", "2015550103"


def _outcome_rows(service: dnc.Service) -> int:
    with service.store.engine.connect() as conn:
        return int(
            conn.execute(sa.select(sa.func.count()).select_from(table(CallOutcomeRow))).scalar_one()
        )


def _history(service: dnc.Service) -> None:
    for refusal in range(3):
        service.record_outcome(
            SUPPRESSED, "spring", "refused", at=LONG_AGO + timedelta(days=refusal)
        )
    service.record_outcome(SUPPRESSED, "spring", "no_answer", at=LONG_AGO - timedelta(days=1))
    service.record_outcome(OPTED_OUT, "spring", "opt_out", at=LONG_AGO)
    service.record_outcome(ORDINARY, "spring", "refused", at=LONG_AGO)
    service.record_outcome(ORDINARY, "spring", "sale", at=NOW - timedelta(days=30))


def test_purge_keeps_every_suppression_and_opt_out_in_force(service: dnc.Service) -> None:
    _history(service)
    later = NOW + timedelta(days=1)
    before = {
        n: service.check(n, campaign="spring", at=later).codes for n in (SUPPRESSED, OPTED_OUT)
    }

    result = service.purge(at=NOW, actor="dpo")

    assert (result.deleted, result.kept_refusals) == (3, 3)
    assert _outcome_rows(service) == 4  # three refusals of the suppressed number, one recent sale
    assert service.check(SUPPRESSED, campaign="spring", at=later).codes == (ReasonCode.THREE_NOS,)
    assert ReasonCode.THREE_NOS in before[SUPPRESSED]
    assert service.check(OPTED_OUT, campaign="winter", at=later).codes == before[OPTED_OUT]
    assert service.check(OPTED_OUT, campaign="winter", at=later).codes == (ReasonCode.DNC_INTERNAL,)
    assert [o.outcome.value for o in service.outcomes(ORDINARY)] == ["sale"]


def test_purge_is_audited_once_with_counts_and_the_chain_still_verifies(
    service: dnc.Service,
) -> None:
    _history(service)
    audit_before = len(service.audit_records())
    service.purge(at=NOW, actor="dpo")
    records = service.audit_records()
    assert len(records) == audit_before + 1
    last = records[-1]
    assert (last.action, last.actor) == ("purge", "dpo")
    assert last.after is not None and last.after["deleted_outcomes"] == 3
    assert service.verify_audit().first_bad is None


def test_dry_run_counts_and_changes_nothing(service: dnc.Service) -> None:
    _history(service)
    rows, audit = _outcome_rows(service), len(service.audit_records())
    result = service.purge(at=NOW, dry_run=True)
    assert (result.dry_run, result.deleted, result.kept_refusals) == (True, 3, 3)
    assert _outcome_rows(service) == rows and len(service.audit_records()) == audit


def test_retention_years_come_from_configuration(db_url: str, tmp_path: Path) -> None:
    cfg = tmp_path / "dnc.toml"
    cfg.write_text("[retention]\noutcomes_years = 10\n")
    with dnc.open(db_url, cfg, create=True) as service:
        _history(service)
        result = service.purge(at=NOW)
        assert result.outcomes_years == 10 and result.deleted == 0
        assert result.cutoff == NOW.replace(year=NOW.year - 10)
