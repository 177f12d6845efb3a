"""Registries and prefix blocks on SQLite and PostgreSQL, as the regulations read:
a listed number is refused, a stale or missing required registry fails closed,
and a broken file changes nothing."""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

import dnc
from dnc import ReasonCode, configuration
from dnc.importing import BadLineError

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
# A Tuesday afternoon in Europe, morning in North America: inside every calling window.
TODAY = datetime(2026, 11, 24, 18, tzinfo=UTC)
FRESH = TODAY.date() - timedelta(days=2)


def packaged_dialled_by_hand() -> configuration.Config:
    """The packaged configuration, every campaign dialled by hand: the wireless
    rule (dnc.wireless) is not what these tests are about."""
    config = configuration.load(env={})
    calling = replace(config.campaigns.default.calling, call_type="live")
    default = replace(config.campaigns.default, calling=calling)
    return replace(config, campaigns=replace(config.campaigns, default=default))


@pytest.fixture
def clock() -> dnc.FixedClock:
    return dnc.FixedClock(TODAY)


@pytest.fixture
def svc(db_url: str, clock: dnc.FixedClock) -> Iterator[dnc.Service]:
    """The packaged configuration: every national registry required."""
    service = dnc.open(db_url, packaged_dialled_by_hand(), clock=clock, create=True)
    yield service
    service.close()


def numbers_in(sample: str, fmt: str) -> list[str]:
    from dnc.importing import InputFile, read_numbers

    chunks = read_numbers(InputFile(SAMPLES / sample), fmt, "US", None)
    return [f"+{n.decode()}" for c in chunks for n in c.digits.split()]


@pytest.mark.parametrize(
    ("sample", "registry", "fmt"),
    [
        ("ftc-full-201-305.txt", "us-national", "ftc"),
        ("ftc-full-201-305-comma.zip", "us-national", "ftc"),
        ("dncl-416.csv", "ca-dncl", "dncl"),
        ("tps-with-spaces.txt", "uk-tps", "tps"),
        ("generic.csv", "us-national", "csv"),
    ],
)
def test_every_number_of_every_sample_checks_as_dnc_registry(
    svc: dnc.Service, sample: str, registry: str, fmt: str
) -> None:
    summary = svc.import_registry(SAMPLES / sample, registry, format=fmt, as_of=FRESH)
    numbers = numbers_in(sample, fmt)
    assert summary.size == len(set(numbers)) and summary.skipped == 0
    for number in numbers:
        verdict = svc.check(number, at=TODAY)
        assert verdict.codes == (ReasonCode.DNC_REGISTRY,), number
        assert (
            registry in verdict.reasons[0].detail and FRESH.isoformat() in verdict.reasons[0].detail
        )


def test_no_snapshot_of_a_required_registry_blocks_with_registry_stale(svc: dnc.Service) -> None:
    verdict = svc.check("+1 201 555 0123", at=TODAY)
    assert verdict.codes == (ReasonCode.REGISTRY_STALE,)
    # Other countries' registries do not cover a US number.
    assert "us-national" in verdict.reasons[0].detail


def test_a_snapshot_older_than_31_days_blocks_with_registry_stale(svc: dnc.Service) -> None:
    svc.import_registry(SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=date(2026, 1, 2))
    at = datetime(2026, 2, 2, 18, tzinfo=UTC)
    assert svc.check("+12015550123", at=at).allowed  # day 31: still usable
    verdict = svc.check("+12015550123", at=at + timedelta(days=1))
    assert verdict.codes == (ReasonCode.REGISTRY_STALE,)
    assert "32 days old" in verdict.reasons[0].detail


def test_a_clean_number_with_a_fresh_snapshot_may_be_called(svc: dnc.Service) -> None:
    svc.import_registry(SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=FRESH)
    assert svc.check("+12015550123", at=TODAY).allowed


def test_as_of_defaults_to_the_file_date_and_is_recorded(svc: dnc.Service) -> None:
    summary = svc.import_registry(SAMPLES / "ftc-full-201-305-comma.zip", "us-national")
    with zipfile.ZipFile(SAMPLES / "ftc-full-201-305-comma.zip") as archive:
        stamp = date(*archive.infolist()[0].date_time[:3])
    assert (summary.as_of, summary.as_of_source) == (stamp, "file date")
    status = {s.definition.name: s for s in svc.registry_status(at=TODAY)}
    assert status["us-national"].freshness.as_of == stamp
    assert status["us-national"].as_of_source == "file date"


def test_a_change_list_adds_and_removes(svc: dnc.Service, tmp_path: Path) -> None:
    svc.import_registry(SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=FRESH)
    changes = tmp_path / "changes.csv"
    changes.write_text("2015550123,A\n2012001956,D\n")
    summary = svc.import_registry(changes, "us-national", changes=True, as_of=FRESH)
    assert (summary.added, summary.removed, summary.size) == (1, 1, 1200)
    assert svc.check("+12015550123", at=TODAY).codes == (ReasonCode.DNC_REGISTRY,)
    assert svc.check("+12012001956", at=TODAY).allowed
    # Applying it again changes nothing.
    again = svc.import_registry(changes, "us-national", changes=True, as_of=FRESH)
    assert (again.added, again.removed, again.size) == (0, 0, 1200)


def test_an_unknown_change_marker_fails_naming_its_line_and_changes_nothing(
    svc: dnc.Service, tmp_path: Path
) -> None:
    svc.import_registry(SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=FRESH)
    changes = tmp_path / "changes.csv"
    changes.write_text("2015550123,A\n2012001956,X\n")
    with pytest.raises(BadLineError, match="line 2.*marker 'X'"):
        svc.import_registry(changes, "us-national", changes=True, as_of=FRESH)
    assert svc.check("+12015550123", at=TODAY).allowed
    assert not svc.check("+12012001956", at=TODAY).allowed


def test_a_broken_full_list_names_its_line_and_leaves_the_snapshot_as_it_was(
    svc: dnc.Service, tmp_path: Path
) -> None:
    svc.import_registry(SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=FRESH)
    broken = tmp_path / "broken.txt"
    broken.write_text("2015550123\n2015550124\n201555012X\n")
    with pytest.raises(BadLineError) as info:
        svc.import_registry(broken, "us-national", as_of=TODAY.date())
    assert info.value.line == 3 and info.value.value == "201555012X"
    assert svc.check("+12015550123", at=TODAY).allowed
    assert svc.check("+12012001956", at=TODAY).codes == (ReasonCode.DNC_REGISTRY,)
    status = {s.definition.name: s for s in svc.registry_status(at=TODAY)}
    assert status["us-national"].freshness.as_of == FRESH and status["us-national"].size == 1200
    with svc.store.engine.connect() as conn:
        files = conn.execute(sa.text("SELECT id FROM registry_file")).scalars().all()
    # The refused list's file is gone, from the database and from this host.
    assert len(files) == 1
    assert [p.name for p in svc.store.snapshots.folder.glob("*.snap")] == [
        f"registry-{files[0]}.snap"
    ]


def test_skip_invalid_imports_the_rest_and_reports_the_skipped(
    svc: dnc.Service, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.txt"
    broken.write_text("2015550123\nnonsense\n2015550124\n")
    summary = svc.import_registry(broken, "us-national", as_of=FRESH, skip_invalid=True)
    assert (summary.read, summary.skipped, summary.first_skipped) == (2, 1, ((2, "nonsense"),))
    assert "skipped 1" in summary.line()


def test_a_full_list_replaces_the_snapshot_and_twice_is_the_same(
    svc: dnc.Service, tmp_path: Path
) -> None:
    first = tmp_path / "first.txt"
    first.write_text("2015550123\n2015550124\n")
    second = tmp_path / "second.txt"
    second.write_text("2015550124\n2015550125\n")
    svc.import_registry(first, "us-national", as_of=FRESH)
    summary = svc.import_registry(second, "us-national", as_of=FRESH)
    assert (summary.added, summary.removed, summary.size) == (1, 1, 2)
    again = svc.import_registry(second, "us-national", as_of=FRESH)
    assert (again.added, again.removed, again.size) == (0, 0, 2)
    assert svc.check("+12015550123", at=TODAY).allowed
    assert not svc.check("+12015550125", at=TODAY).allowed


def test_a_crash_mid_import_leaves_the_previous_snapshot(svc: dnc.Service, tmp_path: Path) -> None:
    svc.import_registry(SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=FRESH)
    other = tmp_path / "other.txt"
    other.write_text("".join(f"212555{n:04d}\n" for n in range(1200)))

    def boom(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        svc.import_registry(other, "us-national", as_of=FRESH, progress=boom)
    assert svc.check("+12012001956", at=TODAY).codes == (ReasonCode.DNC_REGISTRY,)
    assert svc.check("+12125550100", at=TODAY).codes != (ReasonCode.DNC_REGISTRY,)


def test_a_number_on_both_lists_stays_listed_while_the_list_is_replaced(
    svc: dnc.Service, db_url: str, tmp_path: Path
) -> None:
    old = tmp_path / "old.txt"
    old.write_text("".join(f"201555{n:04d}\n" for n in range(0, 2000)))
    new = tmp_path / "new.txt"
    new.write_text("".join(f"201555{n:04d}\n" for n in range(1000, 3000)))
    svc.import_registry(old, "us-national", as_of=FRESH)
    seen: set[tuple[ReasonCode, ...]] = set()
    stop = threading.Event()

    def read() -> None:
        with dnc.open(db_url, packaged_dialled_by_hand()) as reader:
            while not stop.is_set():
                seen.add(reader.check("+12015551500", at=TODAY).codes)

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for _ in range(3):
            svc.import_registry(new, "us-national", as_of=FRESH)
            svc.import_registry(old, "us-national", as_of=FRESH)
    finally:
        stop.set()
        thread.join()
    # Old snapshot or new one, never a mix nor none.
    assert seen == {(ReasonCode.DNC_REGISTRY,)}


def test_unknown_registry_is_a_not_found_error(svc: dnc.Service) -> None:
    with pytest.raises(dnc.NotFoundError, match="unknown registry 'nope'"):
        svc.import_registry(SAMPLES / "dncl-416.csv", "nope")


def test_change_list_without_a_snapshot_is_refused(svc: dnc.Service, tmp_path: Path) -> None:
    changes = tmp_path / "changes.csv"
    changes.write_text("2015550123,A\n")
    with pytest.raises(dnc.InputError, match="import a full list first"):
        svc.import_registry(changes, "us-national", changes=True, as_of=FRESH)


def test_a_prefix_block_refuses_every_number_under_it(service: dnc.Service) -> None:
    service.block_prefix("+1 201 555", reason="partner exchange")
    verdict = service.check("+12015550123", at=TODAY)
    assert verdict.codes == (ReasonCode.DNC_PREFIX,)
    assert "+1201555" in verdict.reasons[0].detail
    assert service.check("+12015560123", at=TODAY).allowed
    service.block_prefix("+1201", list_name="campaign:spring")
    assert service.check("+12015560123", campaign="winter", at=TODAY).allowed
    assert service.check("+12015560123", campaign="spring", at=TODAY).codes == (
        ReasonCode.DNC_PREFIX,
    )
    service.unblock_prefix("+1201555", reason="contract ended")
    assert service.check("+12015550123", campaign="winter", at=TODAY).allowed


def test_an_expired_entry_stops_blocking_and_history_says_so(service: dnc.Service) -> None:
    service.add_to_list("2015550123", expires_at=TODAY + timedelta(hours=1), reason="cool off")
    service.block_prefix("+1201555", expires_at=TODAY + timedelta(days=1))
    assert service.history("2015550123", at=TODAY)[-1].action == "list_add"
    assert service.check("2015550123", at=TODAY + timedelta(hours=2)).codes == (
        ReasonCode.DNC_PREFIX,
    )
    assert service.check("2015550123", at=TODAY + timedelta(days=7)).allowed
    actions = [r.action for r in service.history("2015550123", at=TODAY + timedelta(days=7))]
    assert actions == ["list_add", "list_expire", "list_expire"]
    assert "expired" in (
        service.history("2015550123", at=TODAY + timedelta(days=7))[1].reason or ""
    )


def test_list_import_and_export_round_trip(service: dnc.Service, tmp_path: Path) -> None:
    summary = service.import_list(SAMPLES / "generic.csv", "campaign:spring")
    assert (summary.read, summary.added, summary.already) == (50, 41, 0)
    again = service.import_list(SAMPLES / "generic.csv", "campaign:spring")
    assert (again.added, again.already) == (0, 41)
    assert service.check("+12125550150", campaign="spring", at=TODAY).codes == (
        ReasonCode.DNC_CAMPAIGN,
    )
    out = tmp_path / "out.csv"
    with open(out, "w", newline="") as handle:
        assert service.export_list(handle, "campaign:spring") == 41
    assert service.import_list(out, "internal").added == 41


def test_a_bad_list_line_names_it_and_imports_nothing(service: dnc.Service, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("phone,reason\n2015550123,ok\n12345,too short\n")
    with pytest.raises(BadLineError, match="bad.csv: line 3"):
        service.import_list(bad)
    assert service.list_entries("internal") == []
