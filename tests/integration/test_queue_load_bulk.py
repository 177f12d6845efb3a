"""``dnc queue load`` writes set-based (executemany on SQLite, COPY on
PostgreSQL) in chunks: the entries are those one-by-one queueing would make,
in file order, with the same groups and stored values; duplicates and
numbers already queued count as already queued; progress reaches the end;
a bad line anywhere writes nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

import dnc
from dnc.errors import BadLineError
from dnc.storage.queue_repo import CHUNK

AT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
COLUMNS = "number, region, zones, lead_id, location, priority, status, created_at, updated_at"


def _numbers(count: int) -> list[str]:
    # Spread over exchanges of two area codes (201 New Jersey, 416 Toronto).
    return [f"+1{(201, 416)[i % 2]}{200 + i % 700}{i // 700:04d}" for i in range(count)]


def _rows(service: dnc.Service, campaign: str) -> list[tuple[object, ...]]:
    with service.store.engine.connect() as conn:
        query = f"SELECT {COLUMNS} FROM queue_entry WHERE campaign = :c ORDER BY id"
        return [tuple(r) for r in conn.execute(sa.text(query), {"c": campaign})]


def _groups(service: dnc.Service, campaign: str) -> list[tuple[object, ...]]:
    with service.store.engine.connect() as conn:
        query = (
            "SELECT g.region, g.zones, g.head, g.location, count(e.id) FROM queue_group g "
            "LEFT JOIN queue_entry e ON e.group_id = g.id WHERE g.campaign = :c "
            "GROUP BY g.region, g.zones, g.head, g.location ORDER BY 1, 2, 3, 4"
        )
        return [tuple(r) for r in conn.execute(sa.text(query), {"c": campaign})]


def test_a_load_stores_what_queueing_one_by_one_stores(
    service: dnc.Service, tmp_path: Path
) -> None:
    numbers = _numbers(CHUNK + 1_500)  # more than one chunk
    lines = ["number,lead_id,location,priority"]
    for i, number in enumerate(numbers):
        location = "US-NY" if i % 3 == 0 else ""
        national = number[2:] if i % 5 == 0 else number  # plain NANP digits too
        lines.append(f"{national},L{i},{location},{i % 4}")
    lines.append(f"{numbers[0]},again,,0")  # queued earlier in the same file
    path = tmp_path / "leads.csv"
    path.write_text("\n".join(lines) + "\n")
    seen: list[tuple[int, int]] = []

    summary = service.load_queue(
        path, "bulk", at=AT, progress=lambda done, total: seen.append((done, total))
    )

    assert (summary.read, summary.added, summary.already_queued) == (
        len(numbers) + 1,
        len(numbers),
        1,
    )
    size = path.stat().st_size
    assert seen[-1] == (size, size)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert len(seen) > 3  # reading and each chunk written told it
    sample = range(0, len(numbers), 997)
    for i in sample:
        location = "US-NY" if i % 3 == 0 else None
        assert service.enqueue(f"one-{i % 2}", numbers[i], location=location, priority=i % 4, at=AT)
    loaded = _rows(service, "bulk")
    assert [r[0] for r in loaded] == [int(n[1:]) for n in numbers]
    by_one = {r[0]: r for c in ("one-0", "one-1") for r in _rows(service, c)}
    for i in sample:
        stored = loaded[i]
        assert stored[3] == f"L{i}"
        # Everything but the lead id, as enqueue stores it, byte for byte.
        assert stored[:3] + stored[4:] == by_one[stored[0]][:3] + by_one[stored[0]][4:]
    # Instants as the column type stores them: on SQLite, SQLAlchemy's naive
    # UTC text with microseconds (what every other instant is compared with).
    sqlite = service.store.dialect == "sqlite"
    stored_at = "2026-11-23 15:00:00.000000" if sqlite else AT
    assert {r[7] for r in loaded} == {r[8] for r in loaded} == {stored_at}
    # Every entry in the group of its region, zones, area code and location.
    assert sum(g[4] for g in _groups(service, "bulk")) == len(numbers)
    assert {g[:4] for g in _groups(service, "bulk")} == {
        (r[1], r[2], r[0] // 10_000_000, r[4] or "") for r in loaded
    }

    again = service.load_queue(path, "bulk", at=AT)
    assert (again.added, again.already_queued) == (0, len(numbers) + 1)


def test_a_bad_line_past_the_first_chunk_writes_nothing(
    service: dnc.Service, tmp_path: Path
) -> None:
    numbers = _numbers(CHUNK + 10)
    path = tmp_path / "leads.csv"
    bad = len(numbers) - 3
    lines = ["number"] + [("+1201555" if i == bad else n) for i, n in enumerate(numbers)]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(BadLineError) as caught:
        service.load_queue(path, "bulk", at=AT)
    assert (caught.value.line, caught.value.value) == (bad + 2, "+1201555")
    assert _rows(service, "bulk") == []


def test_blank_lines_are_skipped_and_a_nul_byte_names_its_line(
    service: dnc.Service, tmp_path: Path
) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("number,lead_id\n+12015550123,a\n , \n+12015550124,b\n")
    assert service.load_queue(path, "blank", at=AT).added == 2
    path.write_text("number,lead_id\n+12015550125,a\n+12015550126,b\x00c\n")
    with pytest.raises(BadLineError) as caught:
        service.load_queue(path, "nul", at=AT)
    assert (caught.value.line, caught.value.value, caught.value.why) == (
        3,
        "b\x00c",
        "a NUL byte in a cell",
    )
    assert _rows(service, "nul") == []
