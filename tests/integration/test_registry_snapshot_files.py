"""Registry snapshot files (issue 17), as its constraints read: a check answers
from the old snapshot or the new one while a list is replaced, never
CHECK_FAILED and never "not listed" for a number on both; a damaged local copy
is fetched again from the database; damaged database parts fail closed in
every reader; processes on one host share the folder; and an import killed
with SIGKILL leaves the previous snapshot answering and nothing behind after
the next import."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

import dnc
from dnc import ReasonCode
from dnc.errors import StorageError
from dnc.queue import QueueStatus
from dnc.snapshots.format import HEADER_BYTES

# A Monday morning in New York: inside every calling window.
TEST_NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)
AS_OF = TEST_NOW.date() - timedelta(days=2)
LISTED: tuple[ReasonCode, ...] = (ReasonCode.DNC_REGISTRY,)
ALLOWED: tuple[ReasonCode, ...] = ()

# The old list holds 201-555-0000..1999, the new one 201-555-1000..2999.
OLD_ONLY = ["+12015550100", "+12015550999"]
BOTH = ["+12015551000", "+12015551500", "+12015551999"]
NEW_ONLY = ["+12015552000", "+12015552999"]
NEITHER = ["+12015553500", "+12019990000"]
WATCHED = OLD_ONLY + BOTH + NEW_ONLY + NEITHER
# The change list applied to the new list: one number in, one out.
ADDED = "+12015554000"
DELETED = "+12015552500"


def _lines(first: int, last: int) -> str:
    return "".join(f"201555{n:04d}\n" for n in range(first, last))


@pytest.fixture
def lists(tmp_path: Path) -> dict[str, Path]:
    files = {
        "old": (tmp_path / "old.txt", _lines(0, 2000)),
        "new": (tmp_path / "new.txt", _lines(1000, 3000)),
        "changes": (tmp_path / "changes.csv", f"{ADDED[2:]},A\n{DELETED[2:]},D\n"),
    }
    for path, text in files.values():
        path.write_text(text)
    return {name: path for name, (path, _) in files.items()}


@pytest.fixture
def clock() -> dnc.FixedClock:
    return dnc.FixedClock(TEST_NOW)


@pytest.fixture
def svc(db_url: str, clock: dnc.FixedClock) -> Iterator[dnc.Service]:
    service = dnc.open(db_url, clock=clock, create=True)
    yield service
    service.close()


def _codes(verdict: dnc.Verdict) -> tuple[ReasonCode, ...]:
    return tuple(verdict.codes)


def _local_copy(svc: dnc.Service) -> Path:
    [path] = svc.store.snapshots.folder.glob("registry-*.snap")
    return path


def _current_file(svc: dnc.Service) -> int:
    with svc.store.engine.connect() as conn:
        query = "SELECT file_id FROM registry_snapshot WHERE status = 'current'"
        return int(conn.execute(sa.text(query)).scalar_one())


# -- 1. a snapshot replaced while checks run ------------------------------------------


def test_every_check_answers_from_the_old_snapshot_or_the_new_while_lists_are_imported(
    svc: dnc.Service, db_url: str, lists: dict[str, Path]
) -> None:
    svc.import_registry(lists["old"], "us-national", as_of=AS_OF)
    # What each number may answer: listed on some snapshot it goes through, or not.
    may = {n: {LISTED, ALLOWED} for n in OLD_ONLY + NEW_ONLY + [ADDED, DELETED]}
    may |= {n: {LISTED} for n in BOTH} | {n: {ALLOWED} for n in NEITHER}
    seen: dict[str, set[tuple[ReasonCode, ...]]] = defaultdict(set)
    bad: list[str] = []
    stop = threading.Event()
    numbers = [*WATCHED, ADDED, DELETED]

    def watch(service: dnc.Service, forgetful: bool = False) -> None:
        while not stop.is_set():
            if forgetful:
                service.store.snapshots.close()  # as a process that has just started
            answers = [(n, _codes(service.check(n, at=TEST_NOW))) for n in numbers]
            many = service.check_many(numbers, at=TEST_NOW)
            answers += [(n, _codes(v)) for n, v in zip(numbers, many, strict=True)]
            for number, codes in answers:
                seen[number].add(codes)
                if codes not in may[number]:
                    bad.append(f"{number}: {codes}")

    # One reader shares the importing service's files; others open their
    # own, fetching each new file from the database parts, one of them
    # opening it afresh for every round of checks.
    with dnc.open(db_url, clock=svc.clock) as other, dnc.open(db_url, clock=svc.clock) as fresh:
        readers = [
            threading.Thread(target=watch, args=args)
            for args in ((svc,), (other,), (other,), (fresh, True))
        ]
        for reader in readers:
            reader.start()
        try:
            for _ in range(3):
                svc.import_registry(lists["new"], "us-national", as_of=AS_OF)
                svc.import_registry(lists["changes"], "us-national", changes=True, as_of=AS_OF)
                svc.import_registry(lists["old"], "us-national", as_of=AS_OF)
            svc.import_registry(lists["new"], "us-national", as_of=AS_OF)
        finally:
            stop.set()
            for reader in readers:
                reader.join()
        assert bad == []
        # The readers saw the lists change under them.
        assert all(seen[n] == {LISTED, ALLOWED} for n in OLD_ONLY + NEW_ONLY), dict(seen)
        for service in (svc, other, fresh):
            assert [_codes(service.check(n, at=TEST_NOW)) for n in WATCHED] == [
                *[ALLOWED] * len(OLD_ONLY),
                *[LISTED] * (len(BOTH) + len(NEW_ONLY)),
                *[ALLOWED] * len(NEITHER),
            ]


# -- 2. a damaged local copy, damaged database parts ------------------------------------


def _flip_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_a_number(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[HEADER_BYTES + 1] ^= 0x01  # the first block's first key
    path.write_bytes(bytes(data))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "deleted": Path.unlink,
    "flipped in the middle": _flip_middle,
    "flipped in a number": _flip_a_number,
    "truncated": _truncate,
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_missing_or_damaged_local_copy_is_fetched_again_from_the_database(
    svc: dnc.Service, db_url: str, lists: dict[str, Path], damage: str
) -> None:
    svc.import_registry(lists["old"], "us-national", as_of=AS_OF)
    path = _local_copy(svc)
    whole = hashlib.sha256(path.read_bytes()).hexdigest()
    svc.close()
    # Replaced rather than written in place: the closed service may still map it.
    damaged = path.with_suffix(".tmp")
    damaged.write_bytes(path.read_bytes())
    DAMAGE[damage](damaged)
    if damaged.exists():
        damaged.replace(path)
    else:
        path.unlink()
    with dnc.open(db_url, clock=svc.clock) as fresh:
        assert _codes(fresh.check(BOTH[0], at=TEST_NOW)) == LISTED
        assert _codes(fresh.check(NEW_ONLY[0], at=TEST_NOW)) == ALLOWED
        assert [_codes(v) for v in fresh.check_many(OLD_ONLY, at=TEST_NOW)] == [LISTED] * 2
    assert hashlib.sha256(path.read_bytes()).hexdigest() == whole


def _flip_part(conn: sa.Connection, file_id: int) -> None:
    data = conn.execute(
        sa.text("SELECT data FROM registry_file_part WHERE file_id = :f AND idx = 0"),
        {"f": file_id},
    ).scalar_one()
    broken = bytearray(data)
    broken[len(broken) // 2] ^= 0xFF
    conn.execute(
        sa.text("UPDATE registry_file_part SET data = :d WHERE file_id = :f AND idx = 0"),
        {"d": bytes(broken), "f": file_id},
    )


def _drop_part(conn: sa.Connection, file_id: int) -> None:
    conn.execute(
        sa.text("DELETE FROM registry_file_part WHERE file_id = :f AND idx = 0"), {"f": file_id}
    )


@pytest.mark.parametrize("damage", [_flip_part, _drop_part], ids=["flipped", "deleted"])
def test_damaged_database_parts_and_no_local_copy_fail_closed_everywhere(
    svc: dnc.Service,
    db_url: str,
    lists: dict[str, Path],
    damage: Callable[[sa.Connection, int], None],
) -> None:
    svc.import_registry(lists["old"], "us-national", as_of=AS_OF)
    for number in [*BOTH, *NEITHER]:
        svc.enqueue("spring", number)
    file_id = _current_file(svc)
    with svc.store.engine.begin() as conn:
        damage(conn, file_id)
    _local_copy(svc).unlink()
    svc.close()
    with dnc.open(db_url, clock=svc.clock) as fresh:
        for number in (BOTH[0], NEITHER[0]):
            verdict = fresh.check(number, at=TEST_NOW)
            assert not verdict.allowed and _codes(verdict) == (ReasonCode.CHECK_FAILED,)
            assert "registry snapshot unusable" in verdict.reasons[0].detail
            assert f"registry-{file_id}.snap" in verdict.reasons[0].detail
        many = fresh.check_many([*BOTH, *NEITHER], at=TEST_NOW)
        assert {_codes(v) for v in many} == {(ReasonCode.CHECK_FAILED,)}
        assert all("registry snapshot unusable" in v.reasons[0].detail for v in many)
        with pytest.raises(StorageError, match="registry snapshot unusable"):
            fresh.scrub("spring", at=TEST_NOW)
        with pytest.raises(StorageError, match="registry snapshot unusable"):
            fresh.next_calls("spring", 10, at=TEST_NOW)
        # Nothing was decided callable, nor handed to a dialer.
        statuses = {e.status for e in fresh.queue("spring")}
        assert statuses <= {QueueStatus.UNCHECKED, QueueStatus.CLAIMED}, statuses
        assert QueueStatus.READY not in statuses
        with pytest.raises(StorageError, match="registry snapshot unusable"):
            fresh.dialable("spring", at=TEST_NOW)
    assert not list(svc.store.snapshots.folder.glob("registry-*.snap"))


# -- 3. several processes on one host --------------------------------------------------

CHILD = textwrap.dedent(
    """
    import json, sys
    from datetime import datetime
    from pathlib import Path
    import dnc

    url, stop, at = sys.argv[1], Path(sys.argv[2]), datetime.fromisoformat(sys.argv[3])
    numbers = sys.argv[4:]
    seen = {n: [] for n in numbers}
    with dnc.open(url) as service:
        def look():
            for n in numbers:
                codes = [c.value for c in service.check(n, at=at).codes]
                if codes not in seen[n]:
                    seen[n].append(codes)
            for n, v in zip(numbers, service.check_many(numbers, at=at)):
                codes = [c.value for c in v.codes]
                if codes not in seen[n]:
                    seen[n].append(codes)
        look()
        print("ready", flush=True)
        while not stop.exists():
            look()
        after = {n: [c.value for c in service.check(n, at=at).codes] for n in numbers}
    print(json.dumps({"seen": seen, "after": after}), flush=True)
    """
)


def test_processes_on_one_host_answer_old_or_new_and_then_the_new(
    svc: dnc.Service, db_url: str, lists: dict[str, Path], tmp_path: Path
) -> None:
    svc.import_registry(lists["old"], "us-national", as_of=AS_OF)
    stop = tmp_path / "stop"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, db_url, str(stop), TEST_NOW.isoformat(), *WATCHED],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline() == "ready\n", child.stderr.read()  # type: ignore[union-attr]
        for _ in range(2):
            svc.import_registry(lists["new"], "us-national", as_of=AS_OF)
            svc.import_registry(lists["old"], "us-national", as_of=AS_OF)
        svc.import_registry(lists["new"], "us-national", as_of=AS_OF)
    finally:
        stop.touch()
        results = [child.communicate(timeout=60) for child in children]
    listed: list[str] = ["DNC_REGISTRY"]
    allowed: list[str] = []
    for (out, err), child in zip(results, children, strict=True):
        assert child.returncode == 0, err
        found = json.loads(out)
        for number in OLD_ONLY + NEW_ONLY:
            assert all(codes in (allowed, listed) for codes in found["seen"][number]), found
        assert all(found["seen"][n] == [listed] for n in BOTH), found
        assert all(found["seen"][n] == [allowed] for n in NEITHER), found
        after = found["after"]
        assert [after[n] for n in WATCHED] == [
            *[allowed] * len(OLD_ONLY),
            *[listed] * (len(BOTH) + len(NEW_ONLY)),
            *[allowed] * len(NEITHER),
        ]


# -- 4. kill -9 during an import ---------------------------------------------------------


def _big_list(path: Path, count: int) -> None:
    """``count`` distinct 201 numbers (exchanges 200-999), written fast."""
    numbers = 2012000000 + np.arange(count, dtype=np.int64) * (7_999_999 // count)
    path.write_text("\n".join(map(str, numbers.tolist())) + "\n")


def _file_rows(engine: sa.Engine) -> list[int]:
    with engine.connect() as conn:
        found = conn.execute(sa.text("SELECT id FROM registry_file ORDER BY id"))
        return [int(i) for i in found.scalars()]


# Run as ``python -m dnc``, killed the moment the file's parts are in the
# database: the file is written and stored, the registry not yet swapped.
DIE_BEFORE_THE_SWAP = textwrap.dedent(
    """
    import os, runpy, signal, sys
    from dnc.storage import snapshot_repo

    stored = snapshot_repo.store

    def store_then_die(*args, **kwargs):
        stored(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)

    snapshot_repo.store = store_then_die
    sys.argv[0] = "dnc"
    runpy.run_module("dnc", run_name="__main__", alter_sys=True)
    """
)


def _kill_while_writing(svc: dnc.Service, command: list[str], tmp_path: Path) -> None:
    """Kill a real import of a big list once its file row and work folder exist."""
    big = tmp_path / "big.txt"
    _big_list(big, 2_500_000)
    before = _file_rows(svc.store.engine)
    folder = svc.store.snapshots.folder
    importing = subprocess.Popen(
        [*command, str(big)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while not list(folder.glob(".snapwrite-*")) or _file_rows(svc.store.engine) == before:
            assert importing.poll() is None, importing.communicate()
            assert time.monotonic() < deadline, "the import never started writing"
            time.sleep(0.01)
        os.kill(importing.pid, signal.SIGKILL)
    finally:
        importing.kill()
        importing.communicate()
    assert importing.returncode == -signal.SIGKILL
    assert list(folder.glob(f".snapwrite-{importing.pid}-*"))  # killed mid-write


def _kill_before_the_swap(svc: dnc.Service, command: list[str], lists: dict[str, Path]) -> None:
    args = [sys.executable, "-c", DIE_BEFORE_THE_SWAP, *command[3:], str(lists["new"])]
    died = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert died.returncode == -signal.SIGKILL, died.stderr
    # Its file is whole on this host and in the database, pointed at by nothing.
    assert len(list(svc.store.snapshots.folder.glob("registry-*.snap"))) == 2
    assert len(_file_rows(svc.store.engine)) == 2


@pytest.mark.parametrize("moment", ["while writing", "before the swap"])
def test_an_import_killed_mid_way_leaves_the_previous_snapshot_and_the_next_cleans_up(
    svc: dnc.Service, db_url: str, lists: dict[str, Path], tmp_path: Path, moment: str
) -> None:
    svc.import_registry(lists["old"], "us-national", as_of=AS_OF)
    before = _file_rows(svc.store.engine)
    folder = svc.store.snapshots.folder
    command = [sys.executable, "-m", "dnc", "--database-url", db_url, "registry", "import",
               "--registry", "us-national", "--as-of", AS_OF.isoformat()]  # fmt: skip
    if moment == "while writing":
        _kill_while_writing(svc, command, tmp_path)
    else:
        _kill_before_the_swap(svc, command, lists)
    with dnc.open(db_url, clock=svc.clock) as fresh:
        assert _codes(fresh.check(OLD_ONLY[0], at=TEST_NOW)) == LISTED
        assert _codes(fresh.check(NEW_ONLY[0], at=TEST_NOW)) == ALLOWED
    svc.import_registry(lists["new"], "us-national", as_of=AS_OF)
    # The killed import's file is gone; the replaced one stays until the next import.
    kept = [*before, _current_file(svc)]
    assert _file_rows(svc.store.engine) == kept
    with svc.store.engine.connect() as conn:
        statuses = conn.execute(sa.text("SELECT status FROM registry_snapshot ORDER BY id"))
        assert statuses.scalars().all() == ["replaced", "current"]
        parts = conn.execute(sa.text("SELECT DISTINCT file_id FROM registry_file_part"))
        assert set(parts.scalars()) == set(kept)
    assert not list(folder.glob(".snapwrite-*"))
    assert {p.name for p in folder.glob("registry-*.snap")} == {f"registry-{i}.snap" for i in kept}
    assert _codes(svc.check(NEW_ONLY[0], at=TEST_NOW)) == LISTED
    assert _codes(svc.check(OLD_ONLY[0], at=TEST_NOW)) == ALLOWED


def test_a_long_running_process_lets_go_of_a_registrys_older_files(
    svc: dnc.Service, db_url: str, clock: dnc.FixedClock, lists: dict[str, Path]
) -> None:
    """Another process (an API worker) that checked before and after two imports
    holds only the file it answers from now, not every month's."""
    svc.import_registry(lists["old"], "us-national", as_of=AS_OF)
    with dnc.open(db_url, clock=clock) as worker:
        assert _codes(worker.check(OLD_ONLY[0], at=TEST_NOW)) == LISTED
        svc.import_registry(lists["new"], "us-national", as_of=AS_OF, allow_shrink=True)
        assert _codes(worker.check(NEW_ONLY[0], at=TEST_NOW)) == LISTED
        assert _codes(worker.check(OLD_ONLY[0], at=TEST_NOW)) == ALLOWED
        with svc.store.unit() as uow:
            rows = uow.connection.execute(
                sa.text(
                    "SELECT s.file_id FROM registry r "
                    "JOIN registry_snapshot s ON s.id = r.current_snapshot_id"
                )
            ).scalars()
            [file_id] = list(rows)
        assert list(worker.store.snapshots._open) == [file_id]


def test_a_file_that_cannot_be_made_good_is_not_fetched_again_at_every_check(
    svc: dnc.Service, db_url: str, lists: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Damaged parts fail closed, and for RETRY_AFTER seconds the failure is the
    answer (no download per check, per process); after it the file is fetched
    again, and answers once the parts are whole."""
    from dnc.storage import snapshot_files

    svc.import_registry(lists["old"], "us-national", as_of=AS_OF)
    file_id = _current_file(svc)
    with svc.store.engine.begin() as conn:
        whole = conn.execute(
            sa.text("SELECT data FROM registry_file_part WHERE file_id = :f AND idx = 0"),
            {"f": file_id},
        ).scalar_one()
        _flip_part(conn, file_id)
    _local_copy(svc).unlink()
    with dnc.open(db_url, clock=svc.clock) as fresh:
        assert _codes(fresh.check(BOTH[0], at=TEST_NOW)) == (ReasonCode.CHECK_FAILED,)
        with svc.store.engine.begin() as conn:
            conn.execute(
                sa.text("UPDATE registry_file_part SET data = :d WHERE file_id = :f AND idx = 0"),
                {"d": whole, "f": file_id},
            )
        # Repaired, but within RETRY_AFTER the failure stands: nothing is fetched.
        assert _codes(fresh.check(BOTH[0], at=TEST_NOW)) == (ReasonCode.CHECK_FAILED,)
        assert not fresh.store.snapshots.path(file_id).exists()
        later = snapshot_files.monotonic() + snapshot_files.RETRY_AFTER + 1
        monkeypatch.setattr(snapshot_files, "monotonic", lambda: later)
        assert _codes(fresh.check(BOTH[0], at=TEST_NOW)) == LISTED
