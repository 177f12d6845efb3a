"""State and litigator lists declared in configuration, on SQLite and PostgreSQL.

A state's do-not-call list applies to the numbers located in that state
(area code, or the dialer's ISO 3166-2 hint; a number nothing places is
treated as covered). A litigator list applies to every campaign with its
own reason, DNC_LITIGATOR, which no consent lifts. A number on several
lists gets one reason per list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import dnc
from dnc import ReasonCode, configuration

# A Tuesday, 12:00 in Texas and 13:00 in New York: inside every calling window.
TODAY = datetime(2026, 11, 24, 18, tzinfo=UTC)
FRESH = TODAY.date() - timedelta(days=2)

CONFIG = (
    # Agents dial: the wireless rule (tests/integration/test_wireless_contract.py)
    # stays out of these answers.
    '[campaigns.default.calling]\ncall_type = "manual"\n'
    + "".join(
        f"[registries.{name}]\nrequired = false\n" for name in ("ca-dncl", "uk-tps", "au-dncr")
    )
    + """
[registries.us-tx]
title = "Texas No-Call List"
regions = ["US"]
applies_to = ["US-TX"]
max_age_days = 92
format = "csv"

[registries.us-litigators]
title = "Known TCPA litigators"
regions = ["US", "CA"]
reason = "DNC_LITIGATOR"
required = false
format = "csv"
"""
)

AUSTIN = "+15125550101"  # 512: Texas
AUSTIN_OVERLAY = "+17375550102"  # 737: Texas, the overlay of 512
MANHATTAN = "+12125550103"  # 212: New York
TOLL_FREE = "+18005550104"  # 800: no place at all
TORONTO = "+14165550105"
# On the FTC sample (us-national).
LISTED_NATIONALLY = "+12012001956"


@pytest.fixture
def svc(db_url: str, tmp_path: Path) -> Iterator[dnc.Service]:
    path = tmp_path / "dnc.toml"
    path.write_text(CONFIG)
    clock = dnc.FixedClock(TODAY)
    with dnc.open(db_url, configuration.load(path), clock=clock, create=True) as service:
        ftc = Path(__file__).resolve().parents[1] / "data" / "samples" / "ftc-full-201-305.txt"
        service.import_registry(ftc, "us-national", as_of=FRESH)
        yield service


def _import(svc: dnc.Service, tmp_path: Path, registry: str, *numbers: str) -> None:
    path = tmp_path / f"{registry}.csv"
    path.write_text("number\n" + "".join(f"{n}\n" for n in numbers))
    svc.import_registry(path, registry, as_of=FRESH)


def _codes(svc: dnc.Service, number: str, **kwargs: str) -> tuple[ReasonCode, ...]:
    return svc.check(number, at=TODAY, **kwargs).codes


# -- a state's list applies to the numbers located in the state -------------------


def test_a_texas_listed_austin_number_is_refused_naming_the_texas_list(
    svc: dnc.Service, tmp_path: Path
) -> None:
    _import(svc, tmp_path, "us-tx", AUSTIN)
    verdict = svc.check(AUSTIN, at=TODAY)
    assert verdict.codes == (ReasonCode.DNC_REGISTRY,)
    assert "us-tx (Texas No-Call List)" in verdict.reasons[0].detail
    assert FRESH.isoformat() in verdict.reasons[0].detail
    # Its neighbour, not on the list, may be called.
    assert svc.check("+15125550199", at=TODAY).allowed
    rows = {s.definition.name: s.to_dict() for s in svc.registry_status(at=TODAY)}
    assert (rows["us-tx"]["reason"], rows["us-tx"]["applies_to"]) == ("DNC_REGISTRY", ["US-TX"])
    assert (rows["us-litigators"]["reason"], rows["us-litigators"]["applies_to"]) == (
        "DNC_LITIGATOR",
        [],
    )


def test_without_a_texas_list_texas_numbers_fail_closed_and_new_york_numbers_do_not(
    svc: dnc.Service,
) -> None:
    for number in (AUSTIN, AUSTIN_OVERLAY):
        verdict = svc.check(number, at=TODAY)
        assert verdict.codes == (ReasonCode.REGISTRY_STALE,), number
        assert "us-tx" in verdict.reasons[0].detail
    # A 212 number is in New York: the Texas list does not apply to it.
    assert svc.check(MANHATTAN, at=TODAY).allowed
    assert svc.check(TORONTO, at=TODAY).allowed


def test_a_stale_texas_list_holds_only_what_it_applies_to(svc: dnc.Service, tmp_path: Path) -> None:
    path = tmp_path / "tx.csv"
    path.write_text(f"number\n{AUSTIN}\n")
    svc.import_registry(path, "us-tx", as_of=TODAY.date() - timedelta(days=93))
    detail = svc.check("+15125550199", at=TODAY).reasons[0].detail
    assert "us-tx" in detail and "93 days old (limit 92)" in detail
    assert svc.check(MANHATTAN, at=TODAY).allowed
    # A stale list still says who asked.
    assert _codes(svc, AUSTIN) == (ReasonCode.DNC_REGISTRY, ReasonCode.REGISTRY_STALE)


def test_a_location_hint_in_texas_brings_a_new_york_number_under_the_texas_list(
    svc: dnc.Service,
) -> None:
    assert _codes(svc, MANHATTAN, location="US-TX") == (ReasonCode.REGISTRY_STALE,)
    assert _codes(svc, MANHATTAN, location="us-tx ") == (ReasonCode.REGISTRY_STALE,)
    # A hint adds a place and never takes one away: an Austin number hinted
    # New York, or placed by time zone only, is still under the Texas list.
    assert _codes(svc, AUSTIN, location="US-NY") == (ReasonCode.REGISTRY_STALE,)
    assert _codes(svc, AUSTIN, location="America/New_York") == (ReasonCode.REGISTRY_STALE,)
    # A time zone places no state: Central time does not make 212 Texan.
    assert svc.check(MANHATTAN, at=TODAY, location="America/Chicago").allowed


def test_a_number_nothing_places_is_treated_as_in_texas(svc: dnc.Service, tmp_path: Path) -> None:
    """Toll-free numbers ring anywhere: the Texas list cannot be ruled out.
    (Every US zone applies to them too, so some may be closed now.)"""
    verdict = svc.check(TOLL_FREE, at=TODAY)
    stale = [r.detail for r in verdict.reasons if r.code is ReasonCode.REGISTRY_STALE]
    assert len(stale) == 1 and "us-tx" in stale[0]
    _import(svc, tmp_path, "us-tx", AUSTIN)
    assert ReasonCode.REGISTRY_STALE not in _codes(svc, TOLL_FREE)


def test_a_new_york_number_on_the_texas_list_is_refused_all_the_same(
    svc: dnc.Service, tmp_path: Path
) -> None:
    """The list says a Texan asked (a Texan may keep a New York mobile): a
    listing refuses whatever the area code."""
    _import(svc, tmp_path, "us-tx", MANHATTAN)
    verdict = svc.check(MANHATTAN, at=TODAY)
    assert verdict.codes == (ReasonCode.DNC_REGISTRY,)
    assert "us-tx" in verdict.reasons[0].detail


# -- a litigator list: every campaign, its own reason, no consent lifts it -----------


def test_a_number_on_the_litigator_list_and_the_national_registry_gets_both_reasons(
    svc: dnc.Service, tmp_path: Path
) -> None:
    _import(svc, tmp_path, "us-tx", AUSTIN)
    _import(svc, tmp_path, "us-litigators", LISTED_NATIONALLY, AUSTIN, TORONTO)
    for campaign in (None, "spring", "autumn"):
        kwargs = {"campaign": campaign} if campaign else {}
        verdict = svc.check(LISTED_NATIONALLY, at=TODAY, **kwargs)
        details = {r.code: r.detail for r in verdict.reasons}
        assert set(details) == {ReasonCode.DNC_LITIGATOR, ReasonCode.DNC_REGISTRY}, campaign
        assert "us-litigators (Known TCPA litigators)" in details[ReasonCode.DNC_LITIGATOR]
        assert "us-national" in details[ReasonCode.DNC_REGISTRY]
        assert verdict.next_allowed_at is None
    # One reason per list: Texas and the litigators both name theirs.
    austin = svc.check(AUSTIN, at=TODAY)
    assert sorted(r.code.value for r in austin.reasons) == ["DNC_LITIGATOR", "DNC_REGISTRY"]
    assert _codes(svc, TORONTO) == (ReasonCode.DNC_LITIGATOR,)


def test_a_consent_lifts_the_national_registry_but_never_the_litigator_list(
    svc: dnc.Service, tmp_path: Path
) -> None:
    _import(svc, tmp_path, "us-tx", AUSTIN)
    _import(svc, tmp_path, "us-litigators", LISTED_NATIONALLY)
    earlier = TODAY - timedelta(days=9)
    for number in (LISTED_NATIONALLY, "+12012016008", AUSTIN):  # the second: FTC sample only
        svc.add_consent(number, "express_written", campaign="spring", at=earlier)
    assert svc.check("+12012016008", campaign="spring", at=TODAY).allowed
    assert svc.check(AUSTIN, campaign="spring", at=TODAY).allowed  # a state list, lifted too
    verdict = svc.check(LISTED_NATIONALLY, campaign="spring", at=TODAY)
    assert verdict.codes == (ReasonCode.DNC_LITIGATOR,)
    assert verdict.relied_on == ()


def test_the_scrub_suppresses_a_litigator_for_good(svc: dnc.Service, tmp_path: Path) -> None:
    _import(svc, tmp_path, "us-tx", AUSTIN)
    _import(svc, tmp_path, "us-litigators", "+12125550177")
    for number in ("+12125550177", MANHATTAN):
        svc.enqueue("spring", number, at=TODAY)
    svc.scrub(at=TODAY)
    [litigator] = svc.queue("spring", number="+12125550177")
    assert litigator.status.value == "suppressed"
    assert [r.code for r in litigator.reasons] == [ReasonCode.DNC_LITIGATOR]
    assert [e.number for e in svc.next_calls("spring", 10, at=TODAY)] == [MANHATTAN]


def test_check_many_answers_as_the_single_check(svc: dnc.Service, tmp_path: Path) -> None:
    """The batch decides numbers with nothing of their own once per kind:
    where the Texas list applies must not leak from one number to another."""
    _import(svc, tmp_path, "us-litigators", LISTED_NATIONALLY, "+12125550177")
    numbers = [AUSTIN, AUSTIN_OVERLAY, MANHATTAN, "+12125550177", TOLL_FREE, TORONTO]
    numbers += [LISTED_NATIONALLY, "+15125550199", "+12125550198"]
    for campaign in (None, "spring"):
        batch = svc.check_many(numbers, campaign=campaign, at=TODAY)
        single = [svc.check(n, campaign=campaign, at=TODAY) for n in numbers]
        assert [v.reasons for v in batch] == [v.reasons for v in single]
    kinds = {n: v.codes for n, v in zip(numbers, batch, strict=True)}
    assert kinds[MANHATTAN] == () and kinds["+15125550199"] == (ReasonCode.REGISTRY_STALE,)
    assert kinds["+12125550177"] == (ReasonCode.DNC_LITIGATOR,)
