"""Calling rules through the service, on both databases: the law's hours in
the called party's local time, blocked days, caps, wishes and consent."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

import dnc
from dnc import ReasonCode
from dnc.cli.app import app

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
NY = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")
TORONTO = ZoneInfo("America/Toronto")
BERLIN = ZoneInfo("Europe/Berlin")

NEW_JERSEY = "+1 201 555 0123"  # federal hours only
MIAMI = "+1 305 555 0123"  # Florida: 08:00-20:00, 3 calls per 24 h
AUSTIN = "+1 512 555 0123"  # Texas: Sunday from 12:00
NEW_ORLEANS = "+1 504 555 0123"  # Louisiana: no Sundays or legal holidays
TORONTO_NO = "+1 416 555 0123"  # Canada: weekends 10:00-18:00
GERMAN = "+49 151 23456789"  # prior consent required

CONFIG = """
[campaigns.spring.calling]
brand = "acme"
[campaigns.live.calling]
call_type = "live"
[campaigns.robo.calling]
call_type = "autodialed"
"""


@pytest.fixture
def svc(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: dnc.FixedClock
) -> Iterator[dnc.Service]:
    cfg = tmp_path / "dnc.toml"
    base = Path(os.environ["DNC_CONFIG"]).read_text()
    cfg.write_text(base + CONFIG)
    monkeypatch.setenv("DNC_CONFIG", str(cfg))
    with dnc.open(db_url, clock=clock, create=True) as service:
        yield service


def local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("number", "at", "allowed", "code", "next_allowed"),
    [
        # US federal: [08:00, 21:00) local time.
        (NEW_JERSEY, local(NY, 2026, 11, 23, 7, 59), False, "OUTSIDE_CALLING_HOURS",
         local(NY, 2026, 11, 23, 8, 0)),
        (NEW_JERSEY, local(NY, 2026, 11, 23, 8, 0), True, None, None),
        (NEW_JERSEY, local(NY, 2026, 11, 23, 20, 59), True, None, None),
        (NEW_JERSEY, local(NY, 2026, 11, 23, 21, 0), False, "OUTSIDE_CALLING_HOURS",
         local(NY, 2026, 11, 24, 8, 0)),
        # The day clocks fall back: 07:30 EST is still closed; 08:00 EST opens.
        (NEW_JERSEY, local(NY, 2026, 11, 1, 7, 30), False, "OUTSIDE_CALLING_HOURS",
         local(NY, 2026, 11, 1, 8, 0)),
        # Florida closes at 20:00.
        (MIAMI, local(NY, 2026, 11, 23, 19, 59), True, None, None),
        (MIAMI, local(NY, 2026, 11, 23, 20, 0), False, "OUTSIDE_CALLING_HOURS",
         local(NY, 2026, 11, 24, 8, 0)),
        # Texas Sunday morning.
        (AUSTIN, local(CHICAGO, 2026, 11, 22, 11, 59), False, "OUTSIDE_CALLING_HOURS",
         local(CHICAGO, 2026, 11, 22, 12, 0)),
        (AUSTIN, local(CHICAGO, 2026, 11, 22, 12, 0), True, None, None),
        # Louisiana on Thanksgiving and on a Sunday.
        (NEW_ORLEANS, local(CHICAGO, 2026, 11, 26, 10, 0), False, "BLOCKED_DAY",
         local(CHICAGO, 2026, 11, 27, 8, 0)),
        (NEW_ORLEANS, local(CHICAGO, 2026, 11, 22, 10, 0), False, "BLOCKED_DAY",
         local(CHICAGO, 2026, 11, 23, 8, 0)),
        # A Canadian Saturday evening.
        (TORONTO_NO, local(TORONTO, 2026, 11, 21, 17, 59), True, None, None),
        (TORONTO_NO, local(TORONTO, 2026, 11, 21, 18, 0), False, "OUTSIDE_CALLING_HOURS",
         local(TORONTO, 2026, 11, 22, 10, 0)),
    ],
)  # fmt: skip
def test_calling_hours_at_their_boundaries(
    svc: dnc.Service,
    number: str,
    at: datetime,
    allowed: bool,
    code: str | None,
    next_allowed: datetime | None,
) -> None:
    verdict = svc.check(number, at=at)
    assert verdict.allowed is allowed, verdict
    if code:
        assert verdict.codes == (ReasonCode(code),)
        assert verdict.next_allowed_at == next_allowed


def test_a_location_hint_tightens_the_rules(svc: dnc.Service) -> None:
    evening = local(NY, 2026, 11, 23, 20, 30)
    assert svc.check(NEW_JERSEY, at=evening).allowed
    verdict = svc.check(NEW_JERSEY, at=evening, location="US-FL")
    assert verdict.codes == (ReasonCode.OUTSIDE_CALLING_HOURS,)
    assert "Florida" in verdict.reasons[0].detail
    with pytest.raises(dnc.InputError):
        svc.check(NEW_JERSEY, at=evening, location="Narnia")


def test_florida_caps_three_calls_per_24_hours(svc: dnc.Service) -> None:
    for at in (
        local(NY, 2026, 11, 23, 18, 0),
        local(NY, 2026, 11, 23, 19, 0),
        local(NY, 2026, 11, 24, 9, 0),
    ):
        svc.record_outcome(MIAMI, "spring", "answered", at=at)
    verdict = svc.check(MIAMI, campaign="spring", at=local(NY, 2026, 11, 24, 10, 0))
    assert verdict.codes == (ReasonCode.FREQUENCY_CAP,)
    # The first call leaves the 24-hour window at 18:00, inside Florida's hours.
    assert verdict.next_allowed_at == local(NY, 2026, 11, 24, 18, 0)
    # New Jersey has no such cap.
    for at in (local(NY, 2026, 11, 23, 18, 0), local(NY, 2026, 11, 23, 19, 0)):
        svc.record_outcome(NEW_JERSEY, "spring", "answered", at=at)
    svc.record_outcome(NEW_JERSEY, "spring", "answered", at=local(NY, 2026, 11, 24, 9, 0))
    assert svc.check(NEW_JERSEY, campaign="spring", at=local(NY, 2026, 11, 24, 10, 0)).allowed


def test_the_persons_own_hours_are_honoured(svc: dnc.Service) -> None:
    svc.set_preference(NEW_JERSEY, not_before="10:00", days="mon-fri")
    verdict = svc.check(NEW_JERSEY, at=local(NY, 2026, 11, 23, 9, 0))
    assert verdict.codes == (ReasonCode.PREFERRED_HOURS,)
    assert verdict.next_allowed_at == local(NY, 2026, 11, 23, 10, 0)
    saturday = svc.check(NEW_JERSEY, at=local(NY, 2026, 11, 28, 11, 0))
    assert saturday.codes == (ReasonCode.PREFERRED_HOURS,)
    assert saturday.next_allowed_at == local(NY, 2026, 11, 30, 10, 0)
    svc.clear_preference(NEW_JERSEY)
    assert svc.check(NEW_JERSEY, at=local(NY, 2026, 11, 23, 9, 0)).allowed


def test_germany_needs_prior_consent(svc: dnc.Service) -> None:
    at = local(BERLIN, 2026, 11, 23, 11, 0)
    verdict = svc.check(GERMAN, campaign="spring", at=at)
    assert verdict.codes == (ReasonCode.CONSENT_REQUIRED,)
    assert verdict.next_allowed_at is None
    # A business relationship is not prior consent under UWG 7.
    svc.add_consent(GERMAN, "ebr_purchase", brand="acme", at=local(BERLIN, 2026, 10, 1, 9, 0))
    assert not svc.check(GERMAN, campaign="spring", at=at).allowed
    svc.add_consent(GERMAN, "express", brand="acme", at=local(BERLIN, 2026, 10, 1, 9, 0))
    assert svc.check(GERMAN, campaign="spring", at=at).allowed
    assert not svc.check(GERMAN, campaign="autumn", at=at).allowed


def test_oklahoma_requires_written_consent_unless_the_campaign_is_live(svc: dnc.Service) -> None:
    at = local(CHICAGO, 2026, 11, 23, 11, 0)
    # Beside the federal wireless rule (the line is unknown): dnc.wireless.
    robo = svc.check("+1 405 555 0123", campaign="robo", at=at)
    assert set(robo.codes) == {ReasonCode.CONSENT_REQUIRED}
    assert any(r.detail.startswith("Oklahoma requires") for r in robo.reasons)
    assert svc.check("+1 405 555 0123", campaign="live", at=at).allowed


def test_consent_lifts_a_registry_listing_but_never_an_opt_out(svc: dnc.Service) -> None:
    listed = "+1 201 200 1956"
    at = local(NY, 2026, 11, 23, 11, 0)
    svc.import_registry(SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=at.date())
    assert svc.check(listed, campaign="spring", at=at).codes == (ReasonCode.DNC_REGISTRY,)

    svc.add_consent(listed, "ebr_purchase", brand="acme", at=local(NY, 2026, 6, 1, 9, 0))
    assert svc.check(listed, campaign="spring", at=at).allowed
    # The consent is acme's; another brand's campaign is still refused.
    assert svc.check(listed, campaign="autumn", at=at).codes == (ReasonCode.DNC_REGISTRY,)

    svc.opt_out(listed)
    verdict = svc.check(listed, campaign="spring", at=at)
    assert verdict.codes == (ReasonCode.DNC_INTERNAL,)


def test_check_json_shows_reasons_and_the_next_time(db_url: str) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["--database-url", db_url, "init"]).exit_code == 0
    result = runner.invoke(
        app,
        ["--database-url", db_url, "check", MIAMI, "--at", "2026-11-23T20:30:00-05:00", "--json"],
    )
    assert result.exit_code == 1, result.output
    verdict = json.loads(result.stdout)
    assert [r["code"] for r in verdict["reasons"]] == ["OUTSIDE_CALLING_HOURS"]
    assert verdict["next_allowed_at"] == "2026-11-24T13:00:00+00:00"
