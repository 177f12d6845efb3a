"""Consent evidence is kept as long as the law asks, and no longer (UWG §7a:
5 years after the consent was given and 5 years after each use; GDPR Art.
5(1)(e): not beyond). ``dnc purge`` deletes the uses of a consent past its
keep-until, and the consent itself once it is no longer in force; a consent
in force is never deleted. On both databases, every instant explicit."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dnc
from dnc.storage.schema import ConsentRow, ConsentUseRow, table
from dnc.verdicts import ReasonCode

GIVEN = datetime(2020, 1, 1, 9, tzinfo=UTC)
USED = datetime(2021, 6, 1, 10, tzinfo=UTC)  # a Tuesday, noon in Berlin
REVOKED = datetime(2021, 7, 1, 9, tzinfo=UTC)
KEEP_UNTIL = datetime(2026, 6, 1, 10, tzinfo=UTC)  # 5 years after the last use
DAY_BEFORE = datetime(2026, 5, 31, 12, tzinfo=UTC)
DAY_AFTER = datetime(2026, 6, 2, 12, tzinfo=UTC)
BERLIN_MONDAY = datetime(2026, 11, 23, 10, tzinfo=UTC)

ANNA, BERT, CARL = "+493012345117", "+493012345118", "+493012345119"

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


def rows(svc: dnc.Service) -> tuple[int, int]:
    """(consent rows, consent use rows) in the database."""
    with svc.store.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(sa.select(sa.func.count()).select_from(table(t))).scalar_one())
            for t in (ConsentRow, ConsentUseRow)
        )


def given_used_revoked(
    svc: dnc.Service, number: str, *, used: datetime = USED, revoked: datetime = REVOKED
) -> None:
    svc.add_consent(number, "express_written", brand="acme", at=GIVEN, evidence="form 88")
    assert svc.check(number, campaign="spring", at=used).allowed  # the use
    svc.revoke_consent(number, brand="acme", reason="asked us to stop", at=revoked)


def evidence(svc: dnc.Service, number: str) -> list[dnc.ConsentEvidence]:
    return svc.consent_evidence(number, brand="acme", include_revoked=True)


def test_revoked_consent_is_kept_until_its_keep_until_and_purged_after(
    svc: dnc.Service,
) -> None:
    given_used_revoked(svc, ANNA)
    [found] = evidence(svc, ANNA)
    assert (len(found.uses), found.keep_until) == (1, KEEP_UNTIL)

    kept = svc.purge(at=DAY_BEFORE, actor="dpo")
    assert (kept.deleted_consent_uses, kept.deleted_consents) == (0, 0)
    assert rows(svc) == (1, 1) and len(evidence(svc, ANNA)[0].uses) == 1

    purged = svc.purge(at=DAY_AFTER, actor="dpo")
    assert (purged.deleted_consent_uses, purged.deleted_consents) == (1, 1)
    assert rows(svc) == (0, 0) and evidence(svc, ANNA) == []
    record = svc.audit_records()[-1]
    assert (record.action, record.actor) == ("purge", "dpo")
    assert record.after is not None
    assert (record.after["deleted_consent_uses"], record.after["deleted_consents"]) == (1, 1)
    # The audit log is append-only: the consent's own records stay, and the
    # chain still verifies.
    actions = [r.action for r in svc.history(ANNA)]
    assert "consent_add" in actions and "consent_revoke" in actions
    assert svc.verify_audit().first_bad is None


def test_a_consent_last_used_four_years_ago_is_kept(svc: dnc.Service) -> None:
    four_years_ago = datetime(2022, 6, 2, 10, tzinfo=UTC)  # a Thursday
    given_used_revoked(svc, ANNA)
    given_used_revoked(svc, BERT, used=four_years_ago, revoked=datetime(2022, 7, 1, tzinfo=UTC))

    result = svc.purge(at=DAY_AFTER)

    assert (result.deleted_consent_uses, result.deleted_consents) == (1, 1)  # ANNA's
    [bert] = evidence(svc, BERT)
    assert [u.at for u in bert.uses] == [four_years_ago]
    assert bert.keep_until == datetime(2027, 6, 2, 10, tzinfo=UTC)


def test_a_consent_in_force_is_never_purged(svc: dnc.Service) -> None:
    long_ago = datetime(2010, 3, 1, 9, tzinfo=UTC)
    svc.add_consent(ANNA, "express_written", brand="acme", at=long_ago)  # never used
    svc.add_consent(BERT, "express_written", brand="acme", at=long_ago)
    assert svc.check(BERT, campaign="spring", at=USED).allowed

    result = svc.purge(at=BERLIN_MONDAY)

    # Past its keep-until, BERT's old use goes; both consents stay, in force.
    assert (result.deleted_consent_uses, result.deleted_consents) == (1, 0)
    assert result.kept_consents_in_force == 2
    assert rows(svc) == (2, 0)
    for number in (ANNA, BERT):
        assert svc.check(number, campaign="spring", at=BERLIN_MONDAY).allowed


def test_an_expired_consent_is_no_longer_in_force_and_goes(svc: dnc.Service) -> None:
    svc.add_consent(
        ANNA, "express", brand="acme", at=GIVEN, expires_at=datetime(2020, 6, 1, tzinfo=UTC)
    )
    # Still in force at the purge instant: a later expiry keeps it.
    svc.add_consent(
        BERT, "express", brand="acme", at=GIVEN, expires_at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    result = svc.purge(at=DAY_AFTER)
    assert (result.deleted_consents, result.kept_consents_in_force) == (1, 1)
    assert evidence(svc, ANNA) == [] and len(evidence(svc, BERT)) == 1


def test_a_purge_dated_before_the_revocation_keeps_the_consent(svc: dnc.Service) -> None:
    given_used_revoked(svc, ANNA, revoked=datetime(2026, 7, 1, tzinfo=UTC))
    result = svc.purge(at=DAY_AFTER)
    # In force on the purge instant: its uses go, the consent stays.
    assert (result.deleted_consent_uses, result.deleted_consents) == (1, 0)
    assert rows(svc) == (1, 0)


def test_dry_run_counts_and_deletes_nothing(svc: dnc.Service) -> None:
    given_used_revoked(svc, ANNA)
    svc.add_consent(BERT, "express_written", brand="acme", at=GIVEN)
    audit = len(svc.audit_records())

    dry = svc.purge(at=DAY_AFTER, dry_run=True)

    assert dry.dry_run
    assert (dry.deleted_consent_uses, dry.deleted_consents, dry.kept_consents_in_force) == (
        1,
        1,
        1,
    )
    assert rows(svc) == (2, 1) and len(svc.audit_records()) == audit
    real = svc.purge(at=DAY_AFTER)
    assert (real.deleted_consent_uses, real.deleted_consents) == (1, 1)
    assert rows(svc) == (1, 0)


def test_an_opt_out_outlives_the_purge_of_the_consent_it_overrode(svc: dnc.Service) -> None:
    given_used_revoked(svc, ANNA)
    svc.opt_out(ANNA, at=REVOKED)
    svc.add_consent(CARL, "express_written", brand="acme", at=GIVEN)
    svc.revoke_consent(CARL, brand="acme", at=REVOKED)

    result = svc.purge(at=DAY_AFTER)

    assert result.deleted_consents == 2
    # The opt-out lives in a list entry, which the purge never touches.
    assert ReasonCode.DNC_INTERNAL in svc.check(ANNA, campaign="spring", at=BERLIN_MONDAY).codes
    # Without its consent a German number is not called at all.
    assert svc.check(CARL, campaign="spring", at=BERLIN_MONDAY).codes == (
        ReasonCode.CONSENT_REQUIRED,
    )


def test_the_evidence_period_comes_from_configuration(
    db_url: str, tmp_path: Path, clock: dnc.FixedClock
) -> None:
    cfg = tmp_path / "dnc.toml"
    cfg.write_text(
        Path(os.environ["DNC_CONFIG"]).read_text()
        + CONFIG
        + "\n[retention]\nconsent_evidence_years = 7\n"
    )
    with dnc.open(db_url, cfg, clock=clock, create=True) as service:
        given_used_revoked(service, ANNA)
        [found] = evidence(service, ANNA)
        assert found.keep_until == datetime(2028, 6, 1, 10, tzinfo=UTC)
        assert "7 years" in found.to_dict()["retention"]
        result = service.purge(at=DAY_AFTER)
        assert (result.consent_evidence_years, result.deleted_consents) == (7, 0)
        assert service.purge(at=datetime(2028, 6, 2, tzinfo=UTC)).deleted_consents == 1


def test_an_evidence_period_shorter_than_the_law_asks_is_refused(
    db_url: str, tmp_path: Path
) -> None:
    cfg = tmp_path / "dnc.toml"
    cfg.write_text("[retention]\nconsent_evidence_years = 4\n")
    with pytest.raises(dnc.ConfigError, match="retention.consent_evidence_years"):
        dnc.open(db_url, cfg, create=True)


EPOCH = datetime(2012, 1, 1, tzinfo=UTC)
DAYS = 14 * 365


@st.composite
def histories(draw: st.DrawFn) -> tuple[int, list[int], int | None, int | None]:
    """(grant day, use days, revocation day, expiry day), days after EPOCH."""
    granted = draw(st.integers(0, DAYS))
    uses = draw(st.lists(st.integers(granted, DAYS), max_size=3))
    revoked = draw(st.none() | st.integers(granted, DAYS))
    expires = draw(st.none() | st.integers(granted + 1, DAYS + 400))
    return granted, uses, revoked, expires


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(consents=st.lists(histories(), min_size=1, max_size=4), data=st.data())
def test_the_purge_agrees_with_keep_until_and_never_deletes_a_consent_in_force(
    svc: dnc.Service,
    consents: list[tuple[int, list[int], int | None, int | None]],
    data: st.DataObject,
) -> None:
    # Purge near one consent's keep-until, where an off-by-some error shows.
    granted, uses, _, _ = data.draw(st.sampled_from(consents))
    purge_day = max([granted, *uses]) + 5 * 365 + data.draw(st.integers(-60, 60))
    with svc.store.engine.begin() as conn:
        for t in (ConsentUseRow, ConsentRow):
            conn.execute(sa.delete(table(t)))
    day = timedelta(days=1)
    at = EPOCH + purge_day * day + timedelta(hours=12)
    for i, (granted, uses, revoked, expires) in enumerate(consents):
        number = f"+4930123451{i:02d}"
        svc.add_consent(
            number,
            "express",
            brand="acme",
            at=EPOCH + granted * day,
            expires_at=None if expires is None else EPOCH + expires * day,
        )
        [found] = evidence(svc, number)
        with svc.store.engine.begin() as conn:
            for used in uses:
                conn.execute(
                    sa.insert(table(ConsentUseRow)),
                    {"consent_id": found.consent.id, "used_at": EPOCH + used * day, "via": "check"},
                )
        if revoked is not None:
            svc.revoke_consent(number, brand="acme", at=EPOCH + revoked * day)
    before = {
        e.consent.id: e for i in range(len(consents)) for e in evidence(svc, f"+4930123451{i:02d}")
    }

    svc.purge(at=at)

    after = {
        e.consent.id: e for i in range(len(consents)) for e in evidence(svc, f"+4930123451{i:02d}")
    }
    for cid, was in before.items():
        c = was.consent
        ended = (c.revoked_at is not None and c.revoked_at <= at) or (
            c.expires_at is not None and c.expires_at <= at
        )
        if was.keep_until >= at:  # within its evidence period: untouched
            assert cid in after and len(after[cid].uses) == len(was.uses)
        elif not ended:  # in force: kept, only its old uses go
            assert cid in after and after[cid].uses == ()
        elif was.keep_until < at - day:  # (a leap day may keep it one day longer)
            assert cid not in after
