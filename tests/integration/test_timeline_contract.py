"""A number's timeline tells its whole story, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dnc

NUMBER = "+12015550123"
MORNING = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def test_timeline_tells_the_whole_story_in_order(
    service: dnc.Service, clock: dnc.FixedClock, tmp_path: Path
) -> None:
    listed = tmp_path / "us.csv"
    listed.write_text("number\n2015550123\n2015550999\n")
    clock.set(MORNING - timedelta(hours=3))
    service.import_registry(listed, "us-national", format="csv", as_of=MORNING.date(), actor="ops")
    clock.advance(timedelta(hours=1))
    service.add_consent(NUMBER, "express_written", campaign="spring", actor="sales")
    clock.advance(timedelta(hours=1))
    service.set_preference(NUMBER, not_before="10:00", actor="agent-3")
    clock.set(MORNING)
    service.record_outcome(NUMBER, "spring", "refused", at=MORNING, refusals=3, agent="agent-7")
    clock.advance(timedelta(hours=1))
    service.opt_out(NUMBER, channel="sms", note="texted STOP", actor="agent-9")
    clock.advance(timedelta(hours=1))
    service.remove_from_list(NUMBER, "entered in error, ticket 118", actor="officer")

    events = service.timeline(NUMBER)

    kinds = [e.kind for e in events]
    assert kinds == [
        "registry_since",
        "registry_listed",
        "consent_add",
        "preference_set",
        "outcome",
        "three_nos",
        "opt_out",
        "list_remove",
    ]
    by_kind = {e.kind: e for e in events}
    assert by_kind["registry_listed"].summary.startswith(
        f"listed on us-national, snapshot {MORNING.date().isoformat()}"
    )
    assert "THREE_NOS" in by_kind["outcome"].summary
    assert by_kind["outcome"].actor == "agent-7"
    assert by_kind["opt_out"].reason == "texted STOP"
    assert (by_kind["list_remove"].actor, by_kind["list_remove"].reason) == (
        "officer",
        "entered in error, ticket 118",
    )
    assert [e.at for e in events] == sorted(e.at for e in events)


def test_prefix_blocks_covering_the_number_are_part_of_its_story(service: dnc.Service) -> None:
    service.block_prefix("+1201555", reason="partner exchange", actor="officer")
    [event] = service.timeline(NUMBER)
    assert event.kind == "prefix_add"
    assert event.summary == "prefix +1201555 blocked on the internal list"
    assert service.timeline("+12025550123") == []


def test_queue_suppression_and_deferral_appear_with_their_reasons(
    service: dnc.Service, clock: dnc.FixedClock
) -> None:
    clock.set(MORNING)
    service.enqueue("spring", NUMBER)
    service.enqueue("winter", NUMBER)
    clock.advance(timedelta(hours=1))
    service.opt_out(NUMBER, campaign="spring", scope="campaign")
    # 23:00 in New York: out of hours, so the winter entry is deferred.
    clock.advance(timedelta(hours=12))
    service.scrub(campaign="winter")
    events = [e for e in service.timeline(NUMBER) if e.kind != "opt_out"]
    assert [e.kind for e in events] == ["queued", "queued", "queue_suppressed", "scrub_deferred"]
    assert events[2].reason is not None and "do-not-call list" in events[2].reason
    assert "OUTSIDE_CALLING_HOURS" in events[3].summary
    assert events[3].at == MORNING + timedelta(hours=13)
