"""History says when a number entered and left each registry snapshot, on SQLite
and PostgreSQL; a swap and its movements commit together or not at all."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

import dnc
from dnc.storage.schema import RegistryMovementRow, RegistrySwapRow, table

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
FIRST = (NOW - timedelta(days=40)).date()
SECOND = (NOW - timedelta(days=10)).date()
STAYS, LEAVES, ARRIVES, NEVER = "+12015550101", "+12015550102", "+12015550103", "+12015550104"


@pytest.fixture
def lists(tmp_path: Path) -> tuple[Path, Path]:
    a = tmp_path / "a.txt"
    a.write_text("2015550101\n2015550102\n")
    b = tmp_path / "b.txt"
    b.write_text("2015550101\n2015550103\n")
    return a, b


@pytest.fixture
def svc(service: dnc.Service, clock: dnc.FixedClock) -> Iterator[dnc.Service]:
    clock.set(NOW - timedelta(days=39))
    yield service


def _registry_events(service: dnc.Service, number: str) -> list[tuple[str, str]]:
    return [
        (e.kind, e.summary)
        for e in service.timeline(number)
        if e.kind.startswith("registry_") and e.kind != "registry_listed"
    ]


def _rows(service: dnc.Service, row: type) -> int:
    with service.store.engine.connect() as conn:
        found = conn.execute(sa.select(sa.func.count()).select_from(table(row)))
        return int(found.scalar_one())


def test_history_says_when_a_number_entered_and_left_a_registry(
    svc: dnc.Service, clock: dnc.FixedClock, lists: tuple[Path, Path]
) -> None:
    a, b = lists
    svc.import_registry(a, "us-national", as_of=FIRST, actor="ops")
    clock.set(NOW - timedelta(days=9))
    summary = svc.import_registry(b, "us-national", as_of=SECOND, actor="ops")
    assert (summary.added, summary.removed) == (1, 1)

    since = f"on us-national since at least {FIRST.isoformat()} (its earliest snapshot on record)"
    assert _registry_events(svc, STAYS) == [("registry_since", since)]
    assert _registry_events(svc, LEAVES) == [
        ("registry_since", since),
        ("registry_left", f"left us-national (as of {SECOND.isoformat()})"),
    ]
    assert _registry_events(svc, ARRIVES) == [
        ("registry_entered", f"entered us-national (as of {SECOND.isoformat()})")
    ]
    assert _registry_events(svc, NEVER) == []

    [left] = [e for e in svc.timeline(LEAVES) if e.kind == "registry_left"]
    assert left.at == NOW - timedelta(days=9)
    assert left.actor == "ops"
    as_json = left.to_dict()
    assert as_json["kind"] == "registry_left"
    assert as_json["number"] == LEAVES
    details = as_json["details"]
    assert (details["registry"], details["direction"], details["as_of"], details["swap"]) == (
        "us-national",
        "left",
        SECOND.isoformat(),
        "full",
    )
    assert details["imported_at"] == (NOW - timedelta(days=9)).isoformat()
    assert isinstance(details["snapshot"], int)


def test_a_first_import_is_a_baseline_without_a_row_per_number(
    svc: dnc.Service, lists: tuple[Path, Path]
) -> None:
    svc.import_registry(lists[0], "us-national", as_of=FIRST)
    assert (_rows(svc, RegistrySwapRow), _rows(svc, RegistryMovementRow)) == (1, 0)


def test_a_number_that_comes_back_has_each_movement(
    svc: dnc.Service, clock: dnc.FixedClock, lists: tuple[Path, Path]
) -> None:
    a, b = lists
    svc.import_registry(a, "us-national", as_of=FIRST)
    clock.advance(timedelta(days=10))
    svc.import_registry(b, "us-national", as_of=FIRST + timedelta(days=10))
    clock.advance(timedelta(days=10))
    svc.import_registry(a, "us-national", as_of=FIRST + timedelta(days=20))
    assert [k for k, _ in _registry_events(svc, LEAVES)] == [
        "registry_since",
        "registry_left",
        "registry_entered",
    ]
    # Entered after the baseline, so not on it: no "since at least".
    assert [k for k, _ in _registry_events(svc, ARRIVES)] == ["registry_entered", "registry_left"]


def test_a_change_list_records_only_what_really_moved(
    svc: dnc.Service, clock: dnc.FixedClock, lists: tuple[Path, Path], tmp_path: Path
) -> None:
    svc.import_registry(lists[0], "us-national", as_of=FIRST)
    changes = tmp_path / "changes.csv"
    # Adds one listed already and one new; deletes one listed and one never listed.
    changes.write_text("2015550101,A\n2015550103,A\n2015550102,D\n2015550104,D\n")
    clock.set(NOW - timedelta(days=9))
    summary = svc.import_registry(changes, "us-national", changes=True, as_of=SECOND)
    assert (summary.added, summary.removed) == (1, 1)
    assert _registry_events(svc, ARRIVES) == [
        (
            "registry_entered",
            f"entered us-national (as of {SECOND.isoformat()}) by a change list",
        )
    ]
    assert [k for k, _ in _registry_events(svc, LEAVES)] == ["registry_since", "registry_left"]
    assert [k for k, _ in _registry_events(svc, STAYS)] == ["registry_since"]
    assert _registry_events(svc, NEVER) == []
    # Applying it again moves nothing.
    svc.import_registry(changes, "us-national", changes=True, as_of=SECOND)
    assert _rows(svc, RegistryMovementRow) == 2


def test_a_crash_during_the_swap_leaves_neither_snapshot_nor_movements(
    svc: dnc.Service,
    clock: dnc.FixedClock,
    lists: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = lists
    svc.import_registry(a, "us-national", as_of=FIRST)
    before = svc.timeline(LEAVES)

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("power cut")

    # After the movements are written, before the swap commits.
    monkeypatch.setattr("dnc.app.registries._audit", crash)
    clock.set(NOW - timedelta(days=9))
    with pytest.raises(RuntimeError, match="power cut"):
        svc.import_registry(b, "us-national", as_of=SECOND)

    assert (_rows(svc, RegistrySwapRow), _rows(svc, RegistryMovementRow)) == (1, 0)
    [status] = [s for s in svc.registry_status() if s.definition.name == "us-national"]
    assert status.freshness.as_of == FIRST
    assert svc.timeline(LEAVES) == before
    assert dnc.ReasonCode.DNC_REGISTRY in svc.check(LEAVES, at=NOW).codes


def test_a_crash_while_applying_a_change_list_leaves_no_movements(
    svc: dnc.Service,
    clock: dnc.FixedClock,
    lists: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    svc.import_registry(lists[0], "us-national", as_of=FIRST)
    changes = tmp_path / "changes.csv"
    changes.write_text("2015550103,A\n2015550102,D\n")

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("dnc.storage.registry_bulk.apply_changes", crash)
    clock.set(NOW - timedelta(days=9))
    with pytest.raises(RuntimeError, match="disk full"):
        svc.import_registry(changes, "us-national", changes=True, as_of=SECOND)
    assert (_rows(svc, RegistrySwapRow), _rows(svc, RegistryMovementRow)) == (1, 0)
    assert _registry_events(svc, ARRIVES) == []


def test_a_purge_forgets_old_movements_and_moves_the_baseline(
    svc: dnc.Service, clock: dnc.FixedClock, lists: tuple[Path, Path]
) -> None:
    a, b = lists
    long_ago = NOW - timedelta(days=7 * 365)
    clock.set(long_ago)
    svc.import_registry(a, "us-national", as_of=long_ago.date())
    clock.set(long_ago + timedelta(days=30))
    svc.import_registry(b, "us-national", as_of=(long_ago + timedelta(days=30)).date())
    clock.set(NOW - timedelta(days=9))
    svc.import_registry(a, "us-national", as_of=SECOND)
    clock.set(NOW)
    assert _rows(svc, RegistryMovementRow) == 4

    dry = svc.purge(dry_run=True)
    assert dry.deleted_movements == 2
    assert _rows(svc, RegistryMovementRow) == 4
    result = svc.purge(actor="dpo")

    assert result.deleted_movements == 2
    assert result.to_dict()["deleted_registry_movements"] == 2
    assert _rows(svc, RegistryMovementRow) == 2
    # The list of 30 days after long_ago is now where tracking starts.
    since = (long_ago + timedelta(days=30)).date().isoformat()
    assert _registry_events(svc, ARRIVES) == [
        (
            "registry_since",
            f"on us-national since at least {since} (its earliest snapshot on record)",
        ),
        ("registry_left", f"left us-national (as of {SECOND.isoformat()})"),
    ]
    assert [k for k, _ in _registry_events(svc, LEAVES)] == ["registry_entered"]
    assert [k for k, _ in _registry_events(svc, STAYS)] == ["registry_since"]


UNIVERSE = [f"+1201555{n:04d}" for n in range(101, 109)]


@settings(max_examples=12, deadline=None)
@given(st.lists(st.sets(st.sampled_from(UNIVERSE), min_size=1), min_size=1, max_size=5))
def test_movements_replay_to_every_snapshot(snapshots: list[set[str]]) -> None:
    """Whatever the sequence of full lists, each number's history replays to
    the right listing: on the first list iff "since at least", then entered and
    left alternating, ending listed iff on the last list."""
    with tempfile.TemporaryDirectory() as tmp:
        clock = dnc.FixedClock(NOW - timedelta(days=len(snapshots) + 1))
        with dnc.open(f"sqlite:///{tmp}/dnc.db", clock=clock, create=True) as svc:
            for i, listed in enumerate(snapshots):
                path = Path(tmp) / f"list-{i}.txt"
                path.write_text("".join(f"{n[2:]}\n" for n in sorted(listed)))
                clock.advance(timedelta(days=1))
                svc.import_registry(path, "us-national", as_of=clock.now().date(),
                                    allow_shrink=True)  # fmt: skip
            for number in UNIVERSE:
                kinds = [k for k, _ in _registry_events(svc, number)]
                on = kinds[:1] == ["registry_since"]
                assert on == (number in snapshots[0])
                for kind in kinds[on:]:
                    assert kind == ("registry_left" if on else "registry_entered")
                    on = not on
                assert on == (number in snapshots[-1])
