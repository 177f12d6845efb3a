"""A queue written by the 0005 schema (state on each row) reads the same after 0006
(state per group and per entry), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command

import dnc
from dnc.storage import engine as engines
from dnc.storage import migrate
from dnc.storage.types import UTCDateTime

AT = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
OPTED_OUT = [{"code": "DNC_INTERNAL", "detail": "on the internal do-not-call list", "until": None}]
LATE = [{"code": "OUTSIDE_CALLING_HOURS", "detail": "after 21:00", "until": None}]
STALE = [{"code": "REGISTRY_STALE", "detail": "us-national is 40 days old", "until": None}]


def _row(number: int, status: str, **extra: object) -> dict[str, object]:
    return {
        "campaign": "spring",
        "number": number,
        "region": "US",
        "zones": "America/New_York",
        "priority": 0,
        "status": status,
        "not_before": None,
        "reasons": None,
        "suppressed_at": None,
        "created_at": AT,
        "updated_at": AT,
        **extra,
    }


def test_a_0005_queue_keeps_every_entry_state_through_the_upgrade(db_url: str) -> None:
    engine = engines.create(db_url)
    cfg = migrate._alembic_config()
    with engine.connect().execution_options(**engines.WRITE) as conn, conn.begin():
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
        conn.execute(
            sa.text(
                "INSERT INTO queue_entry (campaign, number, region, zones, priority, status,"
                " not_before, reasons, suppressed_at, created_at, updated_at) VALUES (:campaign,"
                " :number, :region, :zones, :priority, :status, :not_before, :reasons,"
                " :suppressed_at, :created_at, :updated_at)"
            ).bindparams(
                *(
                    sa.bindparam(name, type_=UTCDateTime)
                    for name in ("not_before", "suppressed_at", "created_at", "updated_at")
                )
            ),
            [
                _row(
                    12015550101,
                    "suppressed",
                    reasons=json.dumps(OPTED_OUT),
                    suppressed_at=AT + timedelta(hours=1),
                ),
                _row(
                    12015550102,
                    "ready",
                    not_before=AT + timedelta(hours=17),
                    reasons=json.dumps(LATE),
                ),
                _row(12015550103, "held", reasons=json.dumps(STALE)),
                _row(12015550104, "ready"),
                _row(12025550105, "done"),
            ],
        )
    engine.dispose()

    with dnc.open(db_url) as svc:
        found = {e.number: e for e in svc.queue("spring")}
        assert {n: e.status.value for n, e in found.items()} == {
            "+12015550101": "suppressed",
            "+12015550102": "deferred",
            "+12015550103": "held",
            # Ready on its own row said nothing of whether it was ever
            # scrubbed: it is unchecked until the next scrub decides it.
            "+12015550104": "unchecked",
            "+12025550105": "done",
        }
        assert [r.code.value for r in found["+12015550101"].reasons] == ["DNC_INTERNAL"]
        assert found["+12015550101"].suppressed_at == AT + timedelta(hours=1)
        assert found["+12015550102"].not_before == AT + timedelta(hours=17)
        assert [r.code.value for r in found["+12015550103"].reasons] == ["REGISTRY_STALE"]
        assert found["+12015550104"].not_before is None and not found["+12015550104"].reasons
        # Loading more into the upgraded queue joins the groups the upgrade made.
        svc.enqueue("spring", "+12015550199", at=AT)
        assert svc.queue("spring", number="+12015550199")[0].status.value == "unchecked"


def test_a_group_decided_before_0007_reads_unchecked_until_the_next_scrub(db_url: str) -> None:
    """0006 cannot tell which members a group's decision saw, so after 0007
    none of them reads as decided; the next scrub decides them, and the
    revision steps back down cleanly."""
    engine = engines.create(db_url)
    cfg = migrate._alembic_config()
    with engine.connect().execution_options(**engines.WRITE) as conn, conn.begin():
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0006")
        conn.execute(
            sa.text(
                "INSERT INTO queue_group (campaign, region, zones, head, location, sample, action,"
                " decided_at) VALUES ('spring', 'US', 'America/New_York', 1201555, '',"
                " 12015550104, 'dialable', :at)"
            ).bindparams(sa.bindparam("at", type_=UTCDateTime)),
            {"at": AT},
        )
        conn.execute(
            sa.text(
                "INSERT INTO queue_entry (campaign, number, region, zones, priority, status,"
                " group_id, created_at, updated_at) SELECT 'spring', 12015550104, 'US',"
                " 'America/New_York', 0, 'ready', id, :at, :at FROM queue_group"
            ).bindparams(sa.bindparam("at", type_=UTCDateTime)),
            {"at": AT},
        )
    engine.dispose()

    with dnc.open(db_url) as svc:
        [entry] = svc.queue("spring")
        assert entry.status.value == "unchecked"
        svc.scrub(at=AT)
        [entry] = svc.queue("spring")
        assert entry.status.value == "ready"

    engine = engines.create(db_url)
    with engine.connect().execution_options(**engines.WRITE) as conn, conn.begin():
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
        columns = {c["name"] for c in sa.inspect(conn).get_columns("queue_group")}
        assert "checked_through" not in columns and "action" in columns
    engine.dispose()
