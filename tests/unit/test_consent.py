"""Consent: what it lifts, how long an EBR lasts, and what it never overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dnc.consent import ConsentKind, ConsentRecord, default_expiry, satisfies, valid_consents
from dnc.errors import InputError
from dnc.preferences import build, describe, parse_days

GIVEN = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


def consent(kind: ConsentKind = ConsentKind.EXPRESS, **changes: object) -> ConsentRecord:
    values: dict[str, object] = {
        "id": 1,
        "number": "+12015550123",
        "campaign": None,
        "brand": "acme",
        "kind": kind,
        "granted_at": GIVEN,
        "expires_at": default_expiry(kind, GIVEN),
        "evidence": "form 1",
        "actor": "t",
    }
    values.update(changes)
    return ConsentRecord(**values)  # type: ignore[arg-type]


def test_ebr_lasts_18_months_after_a_purchase_and_3_after_an_inquiry() -> None:
    assert default_expiry(ConsentKind.EBR_PURCHASE, GIVEN) == datetime(2027, 7, 31, 12, tzinfo=UTC)
    # Calendar months, clamped: 31 January + 3 months is 30 April.
    assert default_expiry(ConsentKind.EBR_INQUIRY, GIVEN) == datetime(2026, 4, 30, 12, tzinfo=UTC)
    assert default_expiry(ConsentKind.EXPRESS_WRITTEN, GIVEN) is None


def test_consent_is_valid_only_for_its_brand_or_campaign_and_lifetime() -> None:
    c = consent(ConsentKind.EBR_INQUIRY)
    assert c.valid_for("spring", "acme", GIVEN + timedelta(days=1))
    assert not c.valid_for("spring", "other", GIVEN + timedelta(days=1))
    assert not c.valid_for("spring", None, GIVEN + timedelta(days=1))
    assert not c.valid_for("spring", "acme", GIVEN - timedelta(seconds=1))
    assert not c.valid_for("spring", "acme", datetime(2026, 4, 30, 12, tzinfo=UTC))
    campaign_only = consent(campaign="spring", brand=None)
    assert campaign_only.valid_for("spring", None, GIVEN)
    assert not campaign_only.valid_for("winter", "acme", GIVEN)


def test_revoked_consent_is_not_valid() -> None:
    assert not consent(revoked_at=GIVEN).valid_for("x", "acme", GIVEN + timedelta(days=1))


@pytest.mark.parametrize(
    ("requirement", "kind", "ok"),
    [
        ("express", ConsentKind.EXPRESS, True),
        ("express", ConsentKind.EXPRESS_WRITTEN, True),
        ("express", ConsentKind.EBR_PURCHASE, False),
        ("express_written", ConsentKind.EXPRESS, False),
        ("express_written", ConsentKind.EXPRESS_WRITTEN, True),
        ("none", ConsentKind.EBR_INQUIRY, True),
    ],
)
def test_an_ebr_is_not_prior_consent(requirement: str, kind: ConsentKind, ok: bool) -> None:
    assert satisfies(requirement, [consent(kind)]) is ok


@given(st.lists(st.sampled_from(list(ConsentKind)), max_size=4), st.integers(0, 800))
def test_valid_consents_are_a_subset_and_none_outlives_its_expiry(
    kinds: list[ConsentKind], days: int
) -> None:
    at = GIVEN + timedelta(days=days)
    records = [consent(k, id=i) for i, k in enumerate(kinds)]
    valid = valid_consents(records, "spring", "acme", at)
    assert all(c in records for c in valid)
    assert all(c.expires_at is None or at < c.expires_at for c in valid)


def test_preferences_read_the_way_people_say_them() -> None:
    assert parse_days("mon-fri") == frozenset(range(5))
    assert parse_days("sat, sun") == frozenset({5, 6})
    assert parse_days("Monday-Wednesday,fri") == frozenset({0, 1, 2, 4})
    assert describe(build("10", None, "mon-fri")) == "not before 10:00, only mon,tue,wed,thu,fri"
    for bad in ("fri-mon", "xyz", ""):
        with pytest.raises(InputError):
            parse_days(bad)
    with pytest.raises(InputError):
        build(None, None, None)
    with pytest.raises(InputError):
        build("18:00", "10:00", None)
