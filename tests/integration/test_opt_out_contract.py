"""The first slice, on SQLite and PostgreSQL alike: an opt-out makes every
later check of that number refuse, in every process, at once, durably."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

import dnc
from dnc import ReasonCode

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def test_clean_number_is_allowed(service: dnc.Service) -> None:
    verdict = service.check("+1 201 555 0123", at=NOW)
    assert verdict.allowed
    assert verdict.number == "+12015550123"
    assert verdict.reasons == ()


def test_opt_out_refuses_every_later_check_with_dnc_internal(service: dnc.Service) -> None:
    service.opt_out("(201) 555-0123", channel="sms", note="texted STOP", actor="agent-7")

    for campaign in (None, "spring", "winter"):
        verdict = service.check("+12015550123", campaign=campaign, at=NOW)
        assert not verdict.allowed
        assert verdict.codes == (ReasonCode.DNC_INTERNAL,)
        assert "texted STOP" in verdict.reasons[0].detail
        assert verdict.next_allowed_at is None


def test_campaign_scoped_opt_out_blocks_only_that_campaign(service: dnc.Service) -> None:
    service.opt_out("2015550123", campaign="spring", scope="campaign")

    assert service.check("2015550123", campaign="spring", at=NOW).codes == (
        ReasonCode.DNC_CAMPAIGN,
    )
    assert service.check("2015550123", campaign="winter", at=NOW).allowed
    # Without a campaign the call cannot be shown to be for another one.
    assert service.check("2015550123", at=NOW).codes == (ReasonCode.DNC_CAMPAIGN,)


def test_every_applicable_reason_is_listed(service: dnc.Service) -> None:
    service.opt_out("2015550123", campaign="spring", scope="campaign")
    service.opt_out("2015550123")
    codes = set(service.check("2015550123", campaign="spring", at=NOW).codes)
    assert codes == {ReasonCode.DNC_INTERNAL, ReasonCode.DNC_CAMPAIGN}


def test_campaign_scope_without_campaign_is_refused(service: dnc.Service) -> None:
    with pytest.raises(dnc.InputError, match="needs a campaign"):
        service.opt_out("2015550123", scope="campaign")


def test_only_a_removal_with_a_reason_lifts_an_opt_out(service: dnc.Service) -> None:
    service.opt_out("2015550123")
    with pytest.raises(dnc.InputError, match="reason"):
        service.remove_from_list("2015550123", reason="  ")
    assert not service.check("2015550123", at=NOW).allowed

    removed = service.remove_from_list("2015550123", reason="entered in error, ticket 7")
    assert [e.removed_reason for e in removed] == ["entered in error, ticket 7"]
    assert service.check("2015550123", at=NOW).allowed
    # The entry is kept as history, not deleted.
    kept = service.list_entries("internal", "2015550123", include_removed=True)
    assert len(kept) == 1 and kept[0].removed_at is not None


def test_removing_a_number_not_on_the_list_is_an_error(service: dnc.Service) -> None:
    with pytest.raises(dnc.NotFoundError):
        service.remove_from_list("2015550123", reason="why not")


def test_expired_entry_stops_blocking(service: dnc.Service) -> None:
    service.add_to_list("2015550123", expires_at=NOW + timedelta(days=1), reason="cooling off")
    assert not service.check("2015550123", at=NOW).allowed
    assert service.check("2015550123", at=NOW + timedelta(days=1)).allowed


def test_every_mutation_is_audited_with_before_and_after(service: dnc.Service) -> None:
    service.opt_out("2015550123", actor="agent-7", note="said stop")
    service.remove_from_list("2015550123", reason="ticket 9", actor="officer-1")

    records = service.history("+12015550123")
    assert [(r.action, r.actor) for r in records] == [
        ("opt_out", "agent-7"),
        ("list_remove", "officer-1"),
    ]
    assert records[0].before is None and records[0].after is not None
    assert records[1].before is not None and records[1].before["removed_at"] is None
    assert records[1].after is not None and records[1].after["removed_at"] is not None
    assert records[1].reason == "ticket 9"


def test_audit_log_is_append_only(service: dnc.Service) -> None:
    service.opt_out("2015550123")
    for statement in ("UPDATE audit_log SET actor = 'mallory'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with service.store.engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert len(service.history("2015550123")) == 1


def test_opt_out_survives_a_restart(db_url: str) -> None:
    with dnc.open(db_url, create=True) as first:
        first.opt_out("2015550123")
    with dnc.open(db_url) as second:
        assert second.check("2015550123", at=NOW).codes == (ReasonCode.DNC_INTERNAL,)


def test_a_second_process_sees_an_opt_out_immediately(db_url: str) -> None:
    script = (
        "import sys, dnc\n"
        "from datetime import datetime\n"
        "svc = dnc.open(sys.argv[1])\n"
        "at = datetime.fromisoformat(sys.argv[3])\n"
        "print(svc.check(sys.argv[2], at=at).allowed, flush=True)\n"
        "sys.stdin.readline()\n"
        "print(svc.check(sys.argv[2], at=at).allowed, flush=True)\n"
    )
    with dnc.open(db_url, create=True) as service:
        # The other process is warm (connection open, first check done)
        # before the opt-out, as a running dialer would be.
        proc = subprocess.Popen(
            [sys.executable, "-c", script, db_url, "2015550123", NOW.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None and proc.stdin is not None
        assert proc.stdout.readline().strip() == "True"
        service.opt_out("2015550123")
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "False"
        assert proc.wait(timeout=30) == 0


def test_check_fails_closed_when_the_store_breaks(service: dnc.Service) -> None:
    assert service.check("2015550123", at=NOW).allowed
    with service.store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE list_entry"))
    verdict = service.check("2015550123", at=NOW)
    assert not verdict.allowed
    assert verdict.codes == (ReasonCode.CHECK_FAILED,)
    assert "list_entry" in verdict.reasons[0].detail


def test_a_database_newer_than_the_code_is_refused(db_url: str) -> None:
    with dnc.open(db_url, create=True) as service, service.store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(dnc.SchemaTooNewError, match="9999_future"):
        dnc.open(db_url)


def test_naive_time_is_refused(service: dnc.Service) -> None:
    with pytest.raises(dnc.InputError, match="timezone-aware"):
        service.check("2015550123", at=datetime(2026, 11, 23, 15, 0))


def test_invalid_number_is_a_refusal_not_an_exception(service: dnc.Service) -> None:
    verdict = service.check("12345", at=NOW)
    assert not verdict.allowed
    assert verdict.codes == (ReasonCode.INVALID_NUMBER,)
    assert verdict.number == "12345"
    with pytest.raises(dnc.InvalidNumberError, match="'12345'.*too short"):
        service.opt_out("12345")


def test_check_fails_closed_on_stored_data_the_rules_refuse(service: dnc.Service) -> None:
    # A preference no code path would write (not before 18:00, not after 10:00).
    with service.store.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO preference (number, not_before, not_after, updated_at, actor)"
                " VALUES (12015550123, '18:00', '10:00', :t, 'x')"
            ),
            {"t": NOW},
        )
    verdict = service.check("2015550123", at=NOW)
    assert verdict.codes == (ReasonCode.CHECK_FAILED,)


def test_an_unknown_location_is_the_callers_mistake(service: dnc.Service) -> None:
    with pytest.raises(dnc.LocationError):
        service.check("2015550123", at=NOW, location="Atlantis")
