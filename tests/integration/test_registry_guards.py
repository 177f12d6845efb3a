"""Nothing wrong gets into a registry: a file of another country, an empty or
truncated full list, a list dated ahead are refused before the swap, and the
previous snapshot answers exactly as before."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import dnc
from dnc import ReasonCode, configuration
from dnc.importing import BadLineError

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
TODAY = datetime(2026, 11, 24, 18, tzinfo=UTC)
FRESH = TODAY.date() - timedelta(days=2)
LISTED = "+12012001956"  # on ftc-full-201-305.txt (1,200 numbers)
# Dialled by hand: the wireless rule (dnc.wireless) is not what is tested here.
BY_HAND = '[campaigns.default.calling]\ncall_type = "manual"\n'


@pytest.fixture
def svc(db_url: str, tmp_path: Path) -> Iterator[dnc.Service]:
    """The packaged registries, every one required, plus a Florida list by prefix."""
    path = tmp_path / "dnc.toml"
    path.write_text('[registries.state-fl]\nprefixes = ["+1305", "+1786"]\n' + BY_HAND)
    clock = dnc.FixedClock(TODAY)
    with dnc.open(db_url, configuration.load(path, env={}), clock=clock, create=True) as service:
        service.import_registry(SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=FRESH)
        yield service


def lines(path: Path, numbers: list[str]) -> Path:
    path.write_text("".join(f"{n}\n" for n in numbers))
    return path


def unchanged(svc: dnc.Service) -> None:
    """us-national still answers from the sample list, as of FRESH."""
    assert svc.check(LISTED, at=TODAY).codes == (ReasonCode.DNC_REGISTRY,)
    assert svc.check("+12015550123", at=TODAY).allowed
    status = {s.definition.name: s for s in svc.registry_status(at=TODAY)}
    assert (status["us-national"].size, status["us-national"].freshness.as_of) == (1200, FRESH)


def test_a_canadian_file_imported_as_us_national_is_refused_naming_its_line(
    svc: dnc.Service,
) -> None:
    with pytest.raises(BadLineError) as info:
        svc.import_registry(SAMPLES / "dncl-416.csv", "us-national", format="dncl", as_of=FRESH)
    assert info.value.line == 1 and info.value.value.startswith("416,")
    assert "a CA number, outside the numbering plan of registry us-national (US)" in str(info.value)
    unchanged(svc)


def test_a_us_file_imported_as_ca_dncl_is_refused(svc: dnc.Service, tmp_path: Path) -> None:
    us = lines(tmp_path / "us.csv", ["416,2001498", "201,5550123"])
    with pytest.raises(BadLineError, match="line 2: a US number, outside .* ca-dncl"):
        svc.import_registry(us, "ca-dncl", as_of=FRESH)
    status = {s.definition.name: s for s in svc.registry_status(at=TODAY)}
    assert status["ca-dncl"].freshness.state == "missing"


def test_a_new_york_file_imported_as_au_dncr_is_refused(svc: dnc.Service, tmp_path: Path) -> None:
    ny = lines(tmp_path / "ny.csv", ["number", "+1 212 555 0123"])
    with pytest.raises(BadLineError, match="line 2: a US number, outside .* au-dncr \\(\\+61\\)"):
        svc.import_registry(ny, "au-dncr", as_of=FRESH)


def test_a_puerto_rico_number_belongs_to_the_us_registry(svc: dnc.Service, tmp_path: Path) -> None:
    us = lines(tmp_path / "us.txt", [f"201200{n:04d}" for n in range(1200)] + ["7875550123"])
    assert svc.import_registry(us, "us-national", as_of=FRESH).size == 1201


def test_skip_invalid_skips_and_counts_numbers_of_another_country(
    svc: dnc.Service, tmp_path: Path
) -> None:
    mixed = lines(tmp_path / "mixed.txt", [f"201200{n:04d}" for n in range(1200)] + ["4165550123"])
    summary = svc.import_registry(mixed, "us-national", as_of=FRESH, skip_invalid=True)
    assert (summary.size, summary.skipped, summary.first_skipped) == (
        1200,
        1,
        ((1201, "4165550123"),),
    )


def test_a_change_list_adding_a_number_of_another_country_is_refused(
    svc: dnc.Service, tmp_path: Path
) -> None:
    changes = lines(tmp_path / "changes.csv", ["2015550123,A", "4165550123,A"])
    with pytest.raises(BadLineError, match="line 2: a CA number"):
        svc.import_registry(changes, "us-national", changes=True, as_of=FRESH)
    unchanged(svc)


def test_a_state_list_is_held_to_its_prefixes(svc: dnc.Service, tmp_path: Path) -> None:
    fl = lines(tmp_path / "fl.csv", ["number", "305 555 0123", "212 555 0123"])
    with pytest.raises(BadLineError, match="line 3: a US number, outside .* state-fl"):
        svc.import_registry(fl, "state-fl", as_of=FRESH)


def test_a_list_shrinking_the_registry_by_more_than_5_percent_is_refused(
    svc: dnc.Service, tmp_path: Path
) -> None:
    truncated = SAMPLES / "ftc-full-201-305.txt"
    cut = lines(tmp_path / "cut.txt", truncated.read_text().splitlines()[:1139])
    with pytest.raises(dnc.RegistryShrinkError, match="1,139 numbers .* by 5.1% from 1,200"):
        svc.import_registry(cut, "us-national", as_of=TODAY.date())
    unchanged(svc)
    # 5 % exactly is a registry's normal churn.
    kept = lines(tmp_path / "kept.txt", truncated.read_text().splitlines()[:1140])
    assert svc.import_registry(kept, "us-national", as_of=TODAY.date()).size == 1140


def test_allow_shrink_accepts_a_much_smaller_list(svc: dnc.Service, tmp_path: Path) -> None:
    small = lines(tmp_path / "small.txt", ["2015550123"])
    summary = svc.import_registry(small, "us-national", as_of=TODAY.date(), allow_shrink=True)
    assert (summary.size, summary.removed) == (1, 1200)
    assert svc.check(LISTED, at=TODAY).allowed


def test_the_allowed_share_is_configured_per_registry(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "dnc.toml"
    path.write_text("[registries.us-national]\nmax_shrink = 0.5\n" + BY_HAND)
    clock = dnc.FixedClock(TODAY)
    with dnc.open(db_url, configuration.load(path, env={}), clock=clock, create=True) as svc:
        svc.import_registry(SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=FRESH)
        half = lines(tmp_path / "half.txt", [f"201555{n:04d}" for n in range(600)])
        assert svc.import_registry(half, "us-national", as_of=FRESH).size == 600
        less = lines(tmp_path / "less.txt", [f"201555{n:04d}" for n in range(299)])
        with pytest.raises(dnc.RegistryShrinkError, match="limit 50%"):
            svc.import_registry(less, "us-national", as_of=FRESH)


@pytest.mark.parametrize("allow_shrink", [False, True])
def test_an_empty_full_list_is_always_refused(svc: dnc.Service, allow_shrink: bool) -> None:
    with pytest.raises(dnc.RegistryShrinkError, match="no numbers for registry us-national"):
        svc.import_registry(
            "/dev/null", "us-national", as_of=TODAY.date(), allow_shrink=allow_shrink
        )
    unchanged(svc)
    with pytest.raises(dnc.RegistryShrinkError, match="empty full list"):
        svc.import_registry("/dev/null", "uk-tps", as_of=TODAY.date())


def test_an_as_of_after_today_is_refused(svc: dnc.Service) -> None:
    ahead = TODAY.date() + timedelta(days=1)
    with pytest.raises(dnc.TimeRangeError, match=f"as-of date \\(given\\) {ahead} is after"):
        svc.import_registry(SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=ahead)
    unchanged(svc)


def test_a_file_dated_ahead_is_refused_unless_the_date_is_given(
    svc: dnc.Service, tmp_path: Path
) -> None:
    listed = lines(tmp_path / "ahead.txt", [f"201200{n:04d}" for n in range(1200)])
    ahead = (TODAY + timedelta(days=3)).timestamp()
    os.utime(listed, (ahead, ahead))
    with pytest.raises(dnc.TimeRangeError, match="\\(file date\\) 2026-11-27 is after today"):
        svc.import_registry(listed, "us-national")
    unchanged(svc)
    assert svc.import_registry(listed, "us-national", as_of=TODAY.date()).size == 1200
