"""Every way a number leaves the service for dialing decides at the moment it
leaves (issue 11): the export and ``dialable`` decide every entry afresh,
``queue show`` says which entries were never decided, and a prefix block
leaves the queues at once. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

import dnc
from dnc.queue import dispose
from dnc.storage.types import UTCDateTime

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
NY = ZoneInfo("America/New_York")
LA = ZoneInfo("America/Los_Angeles")
MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=NY)  # 07:00 in Los Angeles

OPTED_OUT = "+12015550101"
LISTED = "+12012001956"  # in the FTC sample
THREE_NOS = "+12015550102"
OUT_OF_HOURS = "+12135550103"  # Los Angeles: 07:00 local, opens at 08:00
CLEAN = "+12015550104"
ALL = (OPTED_OUT, LISTED, THREE_NOS, OUT_OF_HOURS, CLEAN)


@pytest.fixture
def svc(db_url: str, clock: dnc.FixedClock) -> Iterator[dnc.Service]:
    with dnc.open(db_url, clock=clock, create=True) as service:
        yield service


def _fill(svc: dnc.Service) -> None:
    """Facts first, then a lead list loaded that still holds the numbers."""
    svc.import_registry(SAMPLES / "ftc-full-201-305.txt", "us-national", as_of=svc.now().date())
    svc.opt_out(OPTED_OUT, at=MORNING - timedelta(days=3))
    svc.record_outcome(THREE_NOS, "autumn", "refused", refusals=3, at=MORNING - timedelta(days=2))
    for number in ALL:
        assert svc.enqueue("spring", number, at=MORNING - timedelta(days=1))


def _export(svc: dnc.Service, at: datetime, everything: bool = False) -> list[dict[str, str]]:
    out = io.StringIO()
    svc.export_queue(out, "spring", at=at, everything=everything)
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def _instant(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _state(svc: dnc.Service) -> dict[str, list[Any]]:
    """Every stored row of the queue tables."""
    with svc.store.engine.connect() as conn:
        return {
            name: sorted(
                tuple(str(v) for v in row) for row in conn.execute(sa.text(f"SELECT * FROM {name}"))
            )
            for name in ("queue_entry", "queue_group", "queue_verdict", "queue_reason")
        }


def test_a_queue_loaded_and_exported_without_a_scrub_carries_no_listed_number(
    svc: dnc.Service,
) -> None:
    _fill(svc)

    rows = _export(svc, MORNING)

    assert [r["number"] for r in rows] == [CLEAN]
    assert list(rows[0]) == ["number", "lead_id", "location", "priority"]
    assert [e.number for e in svc.dialable("spring", at=MORNING)] == [CLEAN]


def test_the_export_decides_at_its_instant(svc: dnc.Service) -> None:
    _fill(svc)
    svc.scrub(at=MORNING)  # defers OUT_OF_HOURS to 08:00 in Los Angeles
    eight_la = datetime(2026, 11, 23, 8, 0, tzinfo=LA)

    assert [r["number"] for r in _export(svc, MORNING)] == [CLEAN]
    assert sorted(r["number"] for r in _export(svc, eight_la)) == sorted([CLEAN, OUT_OF_HOURS])
    # Stored "dialable" is not trusted either: at night nothing is callable.
    assert _export(svc, MORNING.replace(hour=2)) == []


def test_export_all_writes_every_entry_with_its_status_and_reason_codes(
    svc: dnc.Service,
) -> None:
    _fill(svc)
    svc.enqueue("spring", "+12015550105", at=MORNING)
    [claimed] = svc.next_calls("spring", 1, at=MORNING)
    assert claimed.number == CLEAN

    rows = {r["number"]: r for r in _export(svc, MORNING, everything=True)}

    assert list(next(iter(rows.values()))) == [
        "number",
        "lead_id",
        "location",
        "priority",
        "status",
        "not_before",
        "reasons",
    ]
    got = {n: (r["status"], r["reasons"], _instant(r["not_before"])) for n, r in rows.items()}
    # next_calls suppressed what it met on its way to CLEAN; that is stored now.
    assert got == {
        OPTED_OUT: ("suppressed", "DNC_INTERNAL", None),
        LISTED: ("suppressed", "DNC_REGISTRY", None),
        THREE_NOS: ("suppressed", "THREE_NOS", None),
        OUT_OF_HOURS: (
            "deferred",
            "OUTSIDE_CALLING_HOURS",
            datetime(2026, 11, 23, 8, 0, tzinfo=LA),
        ),
        CLEAN: ("claimed", "", None),
        "+12015550105": ("ready", "", None),
    }


def test_an_export_changes_nothing(svc: dnc.Service) -> None:
    _fill(svc)
    svc.scrub(at=MORNING - timedelta(hours=10))
    svc.enqueue("spring", "+12015550105", at=MORNING)
    before = _state(svc)
    shown = svc.queue("spring")

    _export(svc, MORNING)
    _export(svc, MORNING, everything=True)
    svc.dialable("spring", at=MORNING)

    assert _state(svc) == before
    assert svc.queue("spring") == shown


def test_an_entry_loaded_after_the_scrub_is_decided_by_the_export(svc: dnc.Service) -> None:
    _fill(svc)
    svc.scrub(at=MORNING)
    # Same group as CLEAN, decided "dialable" by the scrub; but this number
    # is on the FTC list and was opted out behind the queue's back.
    late = "+12012016008"
    with svc.store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO list_entry (number, source, created_at, recorded_at, actor)"
                " VALUES (12012016008, 'opt_out', :t, :t, 'x')"
            ).bindparams(sa.bindparam("t", type_=UTCDateTime)),
            {"t": MORNING - timedelta(hours=1)},
        )
    svc.enqueue("spring", late, at=MORNING)

    assert [r["number"] for r in _export(svc, MORNING)] == [CLEAN]
    [entry] = svc.queue("spring", number=late)
    assert entry.status == "unchecked"
    assert not entry.reasons and entry.not_before is None
    decided = {r["number"]: r for r in _export(svc, MORNING, everything=True)}[late]
    assert decided["status"] == "suppressed"
    assert decided["reasons"] == "DNC_INTERNAL;DNC_REGISTRY"


def test_show_names_unchecked_and_deferred_entries(svc: dnc.Service) -> None:
    _fill(svc)
    # Loaded, never scrubbed: nothing is known of any of them yet.
    assert {e.number for e in svc.queue("spring", status="unchecked")} == set(ALL)
    assert all(not e.reasons and e.not_before is None for e in svc.queue("spring"))

    svc.scrub(at=MORNING)

    assert svc.queue("spring", status="unchecked") == []
    [deferred] = svc.queue("spring", status="deferred")
    assert deferred.number == OUT_OF_HOURS
    assert deferred.not_before == datetime(2026, 11, 23, 8, 0, tzinfo=LA)
    assert [e.number for e in svc.queue("spring", status="ready")] == [CLEAN]
    with pytest.raises(dnc.InputError, match="unchecked"):
        svc.queue("spring", status="waiting")


# -- prefix blocks ------------------------------------------------------------------

UNDER = ["+12015550150", "+12015550151"]
BESIDE = "+12015560150"


def _queue_under(svc: dnc.Service) -> None:
    for campaign in ("spring", "autumn"):
        for number in [*UNDER, BESIDE]:
            svc.enqueue(campaign, number, at=MORNING)


def _statuses(svc: dnc.Service, campaign: str) -> dict[str, str]:
    return {e.number: e.status.value for e in svc.queue(campaign)}


def test_a_prefix_block_leaves_every_queue_in_the_same_transaction(svc: dnc.Service) -> None:
    _queue_under(svc)
    svc.next_calls("autumn", 1, at=MORNING)  # a claimed entry leaves too

    svc.block_prefix("+1201555015", reason="partner exchange", at=MORNING)

    for campaign in ("spring", "autumn"):
        assert _statuses(svc, campaign) == {
            UNDER[0]: "suppressed",
            UNDER[1]: "suppressed",
            BESIDE: "unchecked",
        }
        [entry] = svc.queue(campaign, number=UNDER[1])
        want = svc.check(UNDER[1], campaign=campaign, at=MORNING)
        assert entry.reasons == want.reasons
        assert [r.code for r in entry.reasons] == [dnc.ReasonCode.DNC_PREFIX]


def test_a_campaign_prefix_block_leaves_that_campaign_only(svc: dnc.Service) -> None:
    _queue_under(svc)

    svc.block_prefix("+1201555", list_name="campaign:spring", at=MORNING)

    assert _statuses(svc, "spring") == {
        UNDER[0]: "suppressed",
        UNDER[1]: "suppressed",
        BESIDE: "unchecked",
    }
    assert set(_statuses(svc, "autumn").values()) == {"unchecked"}


def test_a_prefix_block_with_an_expiry_defers_as_an_expiring_opt_out_does(
    svc: dnc.Service,
) -> None:
    _queue_under(svc)
    until = MORNING + timedelta(days=2)

    svc.block_prefix("+1201555015", at=MORNING, expires_at=until)

    assert set(_statuses(svc, "spring").values()) == {"unchecked"}
    rows = {r["number"]: r for r in _export(svc, MORNING, everything=True)}
    for number in UNDER:
        want = dispose(svc.check(number, campaign="spring", at=MORNING))
        assert (rows[number]["status"], _instant(rows[number]["not_before"])) == ("deferred", until)
        assert rows[number]["reasons"] == "DNC_PREFIX"
        assert want.not_before == until
    assert rows[BESIDE]["status"] == "ready"
