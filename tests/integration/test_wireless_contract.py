"""Wireless numbers and the dialing method (TCPA, 47 CFR 64.1200(a)(1)(iii),
(a)(2)), through the service on both databases: an autodialed or prerecorded
call to a wireless number needs the called party's prior express written
consent; a number whose line is not known is treated as wireless; a call
dialled by hand is not concerned."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import dnc
from dnc import BadLineError, InputError, ReasonCode, configuration

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 10:00 in New Jersey, 15:00 in London
TODAY = NOW.date()
UK_MOBILE = "+447400123456"
UK_LANDLINE = "+442079460000"
NJ_WIRELESS = "+12017770201"  # listed wireless in the us-wireless data
NJ_PORTED = "+12017770202"  # ported to wireline
NJ_UNLISTED = "+12017770203"  # not in the data

CONFIG = (
    "".join(
        f"[registries.{name}]\nrequired = false\n"
        for name in ("us-national", "ca-dncl", "uk-tps", "au-dncr")
    )
    + '[campaigns.spring.calling]\ncall_type = "predictive"\nbrand = "acme"\n'
    + '[campaigns.voice.calling]\ncall_type = "prerecorded"\n'
    + '[campaigns.desk.calling]\ncall_type = "manual"\nbrand = "acme"\n'
)


@pytest.fixture
def svc(db_url: str, tmp_path: Path, clock: dnc.FixedClock) -> Iterator[dnc.Service]:
    path = tmp_path / "dnc.toml"
    path.write_text(CONFIG)
    with dnc.open(db_url, configuration.load(path), clock=clock, create=True) as service:
        yield service


def lines(
    tmp_path: Path, *rows: str, name: str = "lines.csv", header: str = "number,line_type"
) -> Path:
    path = tmp_path / name
    path.write_text(header + "\n" + "".join(f"{r}\n" for r in rows))
    return path


def wireless_data(svc: dnc.Service, tmp_path: Path, days_old: int = 0) -> None:
    path = lines(tmp_path, f"{NJ_WIRELESS},wireless", f"{NJ_PORTED},ported-to-wireline")
    svc.import_registry(path, "us-wireless", as_of=TODAY - timedelta(days=days_old))


def wireless_detail(verdict: dnc.Verdict) -> str:
    [reason] = verdict.reasons
    assert reason.code is ReasonCode.CONSENT_REQUIRED
    assert reason.detail.startswith("TCPA 47 CFR 64.1200(a)(1)(iii), (a)(2): ")
    return reason.detail


def test_a_predictive_call_to_a_uk_mobile_needs_written_consent(svc: dnc.Service) -> None:
    detail = wireless_detail(svc.check(UK_MOBILE, campaign="spring", at=NOW))
    assert "an autodialed call to a wireless number" in detail
    assert "a mobile number in its numbering plan" in detail
    # The landline next door is not a wireless number.
    assert svc.check(UK_LANDLINE, campaign="spring", at=NOW).allowed


def test_written_consent_for_the_brand_lifts_it(svc: dnc.Service) -> None:
    svc.add_consent(UK_MOBILE, "express_written", brand="acme", at=NOW - timedelta(days=3))
    verdict = svc.check(UK_MOBILE, campaign="spring", at=NOW)
    assert verdict.allowed
    # Allowed only thanks to the consent: the check is a use of it.
    assert len(verdict.relied_on) == 1
    # Another brand's prerecorded campaign has no consent of its own.
    assert not svc.check(UK_MOBILE, campaign="voice", at=NOW).allowed


def test_an_ebr_or_an_oral_consent_is_not_prior_express_written_consent(
    svc: dnc.Service,
) -> None:
    svc.add_consent(UK_MOBILE, "ebr_purchase", brand="acme", at=NOW - timedelta(days=3))
    assert "wireless" in wireless_detail(svc.check(UK_MOBILE, campaign="spring", at=NOW))
    svc.add_consent(UK_MOBILE, "express", campaign="spring", at=NOW - timedelta(days=2))
    assert "written consent" in wireless_detail(svc.check(UK_MOBILE, campaign="spring", at=NOW))


def test_a_campaign_dialled_by_hand_is_not_concerned(svc: dnc.Service, tmp_path: Path) -> None:
    assert svc.check(UK_MOBILE, campaign="desk", at=NOW).allowed
    assert svc.check(NJ_UNLISTED, campaign="desk", at=NOW).allowed
    wireless_data(svc, tmp_path)
    assert svc.check(NJ_WIRELESS, campaign="desk", at=NOW).allowed


def test_a_prerecorded_call_is_held_to_the_same_rule(svc: dnc.Service) -> None:
    detail = wireless_detail(svc.check(UK_MOBILE, campaign="voice", at=NOW))
    assert "a prerecorded call to a wireless number" in detail


def test_a_us_number_listed_in_the_wireless_data_is_refused(
    svc: dnc.Service, tmp_path: Path
) -> None:
    wireless_data(svc, tmp_path)
    detail = wireless_detail(svc.check(NJ_WIRELESS, campaign="spring", at=NOW))
    assert f"listed as wireless in the us-wireless data as of {TODAY.isoformat()}" in detail


def test_a_us_number_ported_to_wireline_may_be_autodialed(svc: dnc.Service, tmp_path: Path) -> None:
    wireless_data(svc, tmp_path)
    assert svc.check(NJ_PORTED, campaign="spring", at=NOW).allowed


def test_a_us_number_not_in_the_data_is_treated_as_wireless(
    svc: dnc.Service, tmp_path: Path
) -> None:
    detail = wireless_detail(svc.check(NJ_UNLISTED, campaign="spring", at=NOW))
    assert "line type unknown, treated as wireless (fail closed)" in detail
    assert "no us-wireless data imported" in detail
    wireless_data(svc, tmp_path)
    detail = wireless_detail(svc.check(NJ_UNLISTED, campaign="spring", at=NOW))
    assert f"not in the us-wireless data as of {TODAY.isoformat()}" in detail
    assert "its numbering plan does not tell wireless from wireline" in detail


def test_a_stale_wireline_mark_no_longer_counts_but_a_wireless_one_does(
    svc: dnc.Service, tmp_path: Path
) -> None:
    wireless_data(svc, tmp_path, days_old=32)
    detail = wireless_detail(svc.check(NJ_PORTED, campaign="spring", at=NOW))
    assert "older than 31 days" in detail and "treated as wireless" in detail
    assert "the number is wireless" in wireless_detail(
        svc.check(NJ_WIRELESS, campaign="spring", at=NOW)
    )


def test_an_undeclared_campaign_is_treated_as_autodialed(svc: dnc.Service) -> None:
    detail = wireless_detail(svc.check(UK_MOBILE, campaign="unknown-campaign", at=NOW))
    assert "campaign 'unknown-campaign' does not declare how it dials" in detail
    detail = wireless_detail(svc.check(UK_MOBILE, at=NOW))
    assert "the default campaign policy does not declare how it dials" in detail


def test_change_lists_port_numbers_and_add_new_ones(svc: dnc.Service, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="import a full list first"):
        svc.import_registry(
            lines(tmp_path, f"{NJ_PORTED},wireline"), "us-wireless", changes=True, as_of=TODAY
        )
    wireless_data(svc, tmp_path)
    changes = lines(tmp_path, f"{NJ_PORTED},ported-to-wireless", f"{NJ_UNLISTED},landline",
                    name="changes.csv")  # fmt: skip
    summary = svc.import_registry(changes, "us-wireless", changes=True, as_of=TODAY)
    assert (summary.read, summary.added, summary.size) == (2, 1, 3)
    assert not svc.check(NJ_PORTED, campaign="spring", at=NOW).allowed
    assert svc.check(NJ_UNLISTED, campaign="spring", at=NOW).allowed
    [status] = [s for s in svc.registry_status(at=NOW) if s.definition.name == "us-wireless"]
    assert (status.size, status.changes_applied) == (3, 1)


def test_a_file_of_plain_numbers_lists_wireless_ones_and_bad_lines_stop_it(
    svc: dnc.Service, tmp_path: Path
) -> None:
    svc.import_registry(lines(tmp_path, NJ_WIRELESS, header="number"), "us-wireless", as_of=TODAY)
    assert not svc.check(NJ_WIRELESS, campaign="spring", at=NOW).allowed
    bad = lines(tmp_path, f"{NJ_PORTED},cordless", name="bad.csv")
    with pytest.raises(BadLineError, match="not a line type"):
        svc.import_registry(bad, "us-wireless", as_of=TODAY)
    foreign = lines(tmp_path, f"{UK_MOBILE},wireless", name="uk.csv")
    with pytest.raises(BadLineError):
        svc.import_registry(foreign, "us-wireless", as_of=TODAY)
    # Nothing of the refused files was kept.
    assert not svc.check(NJ_WIRELESS, campaign="spring", at=NOW).allowed


def test_a_reassigned_number_voids_the_consent_that_lifted_the_wireless_rule(
    svc: dnc.Service, tmp_path: Path
) -> None:
    wireless_data(svc, tmp_path)
    svc.add_consent(NJ_WIRELESS, "express_written", campaign="spring", at=NOW - timedelta(days=30))
    assert svc.check(NJ_WIRELESS, campaign="spring", at=NOW).allowed
    disconnects = tmp_path / "disconnects.csv"
    disconnects.write_text(f"number,disconnected_on\n{NJ_WIRELESS},{TODAY - timedelta(days=5)}\n")
    svc.import_registry(disconnects, "us-reassigned", as_of=TODAY)
    verdict = svc.check(NJ_WIRELESS, campaign="spring", at=NOW)
    assert [r.code.value for r in verdict.reasons] == ["CONSENT_REQUIRED", "REASSIGNED"]


def test_the_batch_check_and_next_calls_agree(svc: dnc.Service, tmp_path: Path) -> None:
    wireless_data(svc, tmp_path)
    numbers = [UK_MOBILE, UK_LANDLINE, NJ_WIRELESS, NJ_PORTED, NJ_UNLISTED]
    single = {n: svc.check(n, campaign="spring", at=NOW) for n in numbers}
    batch = {v.number: v for v in svc.check_many(numbers, campaign="spring", at=NOW)}
    assert {n: v.reasons for n, v in batch.items()} == {n: v.reasons for n, v in single.items()}
    for number in numbers:
        svc.enqueue("spring", number, at=NOW)
    handed = svc.next_calls("spring", 10, at=NOW)
    assert sorted(e.number for e in handed) == sorted(n for n, v in single.items() if v.allowed)
    assert sorted(e.number for e in handed) == sorted([UK_LANDLINE, NJ_PORTED])


def test_a_wireless_source_is_never_required(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[registries.us-wireless]\nrequired = true\n")
    with pytest.raises(dnc.ConfigError, match="never required"):
        configuration.load(path, env={})


def test_the_dialing_method_is_declared_in_the_dialers_words(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[campaigns.x.calling]\ncall_type = "predictive"\n'
                    '[campaigns.y.calling]\ncall_type = "manual"\n')  # fmt: skip
    campaigns = configuration.load(path, env={}).campaigns
    assert campaigns.for_campaign("x").calling.call_type == "autodialed"
    assert campaigns.for_campaign("y").calling.call_type == "live"
    path.write_text('[campaigns.x.calling]\ncall_type = "robotic"\n')
    with pytest.raises(dnc.ConfigError, match="manual, predictive"):
        configuration.load(path, env={})
