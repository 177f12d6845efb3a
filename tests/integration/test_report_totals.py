"""Report totals hide nothing: held entries, list removals, registry
replacements, and the scheduler's scrubs beside the manual ones."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import dnc
from dnc.reports import build
from dnc.reports.render_text import render_csv, render_text

NUMBER = "+12015550123"


def test_held_removals_and_replacements_are_in_every_rendering() -> None:
    counts = {"entries": 10, "suppressed": 1, "deferred": 2, "held": 3, "dialable": 4}
    report = build(
        since=date(2026, 11, 1),
        until=date(2026, 11, 2),
        generated_at=datetime(2026, 11, 3, tzinfo=UTC),
        opt_outs=[],
        three_nos=[],
        scrub_runs=[(datetime(2026, 11, 1, 2, tzinfo=UTC), json.dumps(counts))],
        registries=[],
        failures=[],
        removals=[("list_remove", "internal", 2), ("prefix_remove", "internal", 1)],
        replacements=[("registry_import_full", "registry:us-national", 1)],
    )
    data = report.to_dict()
    assert data["scrub"]["held"] == 3
    assert data["removals"] == {"total": 3, "by_list": {"internal": 2, "prefix internal": 1}}
    assert data["registry_replacements"] == {"total": 1, "by_registry": {"us-national": 1}}
    text = render_text(report)
    assert "held by the scrub (CHECK_FAILED)" in text and "registry lists replaced" in text
    rows = render_csv(report).splitlines()
    assert "scrub,,,held,3" in rows
    assert "removals,,prefix internal,removed,1" in rows
    assert "registry_replacements,,us-national,replaced,1" in rows


def test_the_report_counts_nightly_scrubs_removals_and_replacements(
    service: dnc.Service, tmp_path: Path
) -> None:
    service.opt_out(NUMBER)
    service.enqueue("spring", NUMBER)  # queued after: the nightly scrub takes it out
    service.run_job("nightly-scrub")
    service.add_to_list("+12015550124")
    service.remove_from_list("+12015550124", reason="added by mistake")
    listed = tmp_path / "ftc.txt"
    listed.write_text("2015550125\n2015550126\n")
    service.import_registry(listed, "us-national", as_of=service.now().date())
    data = service.report().to_dict()
    assert data["scrub"]["runs"] == 1 and data["scrub"]["suppressed"] == 1
    assert data["removals"]["by_list"] == {"internal": 1}
    assert data["registry_replacements"]["by_registry"] == {"us-national": 1}
