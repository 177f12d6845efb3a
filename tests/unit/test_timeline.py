"""A number's timeline as a compliance officer reads it: pure domain."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dnc.audit import AuditRecord
from dnc.timeline import QueueFact, RegistryListing, build, parse_reasons

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NUMBER = "+12015550123"


def record(action: str, minutes: int, **kw: object) -> AuditRecord:
    return AuditRecord(
        at=T0 + timedelta(minutes=minutes),
        actor=str(kw.pop("actor", "agent-7")),
        action=action,
        number=NUMBER,
        id=minutes,
        **kw,  # type: ignore[arg-type]
    )


def test_events_are_told_in_time_order_with_a_sentence_each() -> None:
    events = build(
        NUMBER,
        [
            record("opt_out", 10, subject="internal", after={"channel": "sms"}, reason="STOP"),
            record("list_remove", 20, subject="internal", actor="officer", reason="error"),
        ],
        listings=[
            RegistryListing("us-national", date(2026, 11, 1), T0, "loader", "ftc.zip"),
        ],
    )
    assert [e.kind for e in events] == ["registry_listed", "opt_out", "list_remove"]
    assert events[0].summary.startswith("listed on us-national, snapshot 2026-11-01")
    assert events[1].summary == "opted out by sms: on the internal list"
    assert (events[1].actor, events[1].reason) == ("agent-7", "STOP")
    assert events[2].summary == "taken off the internal list"
    assert events[2].actor == "officer"


def test_an_outcome_says_the_state_it_led_to() -> None:
    after = {
        "outcome": {
            "campaign": "spring",
            "outcome": "refused",
            "refusals": 3,
            "at": T0.isoformat(),
        },
        "state": {"summary": "THREE_NOS; next allowed: not knowable"},
    }
    [event] = build(NUMBER, [record("outcome", 0, subject="campaign:spring", after=after)])
    assert event.summary == (
        "call in campaign 'spring' at 2026-11-02 09:00 UTC: refused ×3 "
        "→ THREE_NOS; next allowed: not knowable"
    )
    assert event.to_dict()["after"] == after


def test_queue_rows_tell_suppression_deferral_and_hand_out() -> None:
    suppressed = QueueFact(
        campaign="spring",
        status="suppressed",
        created_at=T0,
        updated_at=T0 + timedelta(hours=5),
        suppressed_at=T0 + timedelta(hours=5),
        reasons=parse_reasons('[{"code": "DNC_INTERNAL", "detail": "opted out"}]'),
    )
    deferred = QueueFact(
        campaign="winter",
        status="ready",
        created_at=T0,
        updated_at=T0 + timedelta(hours=6),
        not_before=T0 + timedelta(hours=30),
        reasons=(("OUTSIDE_HOURS", "after 21:00 local"),),
        claimed_at=T0 + timedelta(hours=31),
        claimed_by="dialer-2",
    )
    events = build(NUMBER, [], queue=[suppressed, deferred])
    kinds = [(e.kind, e.subject) for e in events]
    assert kinds == [
        ("queued", "campaign:spring"),
        ("queued", "campaign:winter"),
        ("queue_suppressed", "campaign:spring"),
        ("scrub_deferred", "campaign:winter"),
        ("queue_claimed", "campaign:winter"),
    ]
    assert "DNC_INTERNAL" in events[2].summary and events[2].reason == "opted out"
    assert "until 2026-11-03 15:00 UTC" in events[3].summary
    assert events[4].actor == "dialer-2"


def test_unreadable_queue_reasons_never_break_the_timeline() -> None:
    assert parse_reasons("not json") == (("UNKNOWN", "not json"),)
    assert parse_reasons('["THREE_NOS"]') == (("THREE_NOS", ""),)
    assert parse_reasons(None) == ()


def test_unknown_audit_actions_still_appear() -> None:
    [event] = build(NUMBER, [record("something_new", 0, subject="x")])
    assert event.kind == "something_new" and event.summary == "something new (x)"


def test_backdated_opt_out_says_when_it_took_effect() -> None:
    after = {"channel": "letter", "created_at": (T0 - timedelta(days=3)).isoformat()}
    [event] = build(NUMBER, [record("opt_out", 0, subject="internal", after=after)])
    assert "(effective 2026-10-30 09:00 UTC)" in event.summary
