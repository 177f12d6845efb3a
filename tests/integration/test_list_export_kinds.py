"""A list export holds its prefix blocks too, and imports back as is."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest

import dnc


def _export(service: dnc.Service, list_name: str) -> list[dict[str, str]]:
    out = io.StringIO()
    service.export_list(out, list_name)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def test_export_lists_entries_then_prefix_blocks_with_their_kind(
    service: dnc.Service, clock: dnc.FixedClock
) -> None:
    now = service.now()
    service.add_to_list("2015550123", "internal", reason="complaint")
    service.add_to_list("2015550124", "internal", expires_at=now + timedelta(days=3, seconds=0.25))
    service.block_prefix("+1201556", "internal", reason="partner exchange")
    rows = _export(service, "internal")
    assert [(r["kind"], r["number"]) for r in rows] == [
        ("entry", "+12015550123"),
        ("entry", "+12015550124"),
        ("prefix", "+1201556"),
    ]
    # One format per column: added a date, expires an instant in UTC to the
    # second, rounded up (a round trip never shortens a block).
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", r["added"]) for r in rows)
    assert rows[1]["expires"] == f"{now + timedelta(days=3, seconds=1):%Y-%m-%dT%H:%M:%S}Z"
    assert rows[0]["expires"] == rows[2]["expires"] == ""


def test_an_export_imports_back_with_its_prefix_blocks(
    service: dnc.Service, tmp_path: Path
) -> None:
    service.add_to_list("2015550123", "internal")
    service.block_prefix("+1201556", "internal", reason="partner exchange")
    path = tmp_path / "internal.csv"
    with open(path, "w", newline="") as handle:
        assert service.export_list(handle, "internal") == 2
    summary = service.import_list(path, "campaign:spring")
    assert (summary.added, summary.blocked, summary.already) == (1, 1, 0)
    assert "prefixes blocked 1" in summary.line()
    blocks = service.prefix_blocks("campaign:spring")
    assert [(b.prefix, b.note) for b in blocks] == [("+1201556", "partner exchange")]
    again = service.import_list(path, "campaign:spring")
    assert (again.added, again.blocked, again.already) == (0, 0, 2)


def test_an_unknown_kind_names_its_line_and_imports_nothing(
    service: dnc.Service, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("number,kind\n+12015550123,entry\n+1201556,range\n")
    with pytest.raises(dnc.BadLineError, match=r"line 3.*kind 'range' is not entry or prefix"):
        service.import_list(path, "internal")
    assert service.list_entries("internal") == []
