"""Replies: what a person wrote or said, read (dnc.replies) and turned into
its effect in one unit of work, with the text and the rule that fired kept
as evidence.

An opt-out becomes an opt-out (company-wide, dated when the reply arrived),
a refusal a ``refused`` outcome, a callback request a ``callback`` outcome
at the time asked for or, for a standing wish ("not before 10"), the
person's preferred hours; a reply that asks for nothing is kept with no
effect. Under the FCC rule (47 CFR 64.1200(a)(10)) a revocation must be
honoured within 10 business days: ours takes effect when it is recorded.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, NamedTuple

from sqlalchemy.engine import Connection

from dnc.app import outcomes as outcome_cases
from dnc.app.consents import store_preferences
from dnc.app.context import App, choice
from dnc.app.effects import record_entries
from dnc.app.outcomes import NewOutcome, build_record
from dnc.audit import AuditRecord
from dnc.clock import not_after_now
from dnc.errors import InputError
from dnc.lists import Channel, ListEntry, NewEntry, Source
from dnc.numbers import PhoneNumber
from dnc.outcomes import Outcome, RecordedOutcome
from dnc.replies import ReplyIntent, classify_reply
from dnc.rules import Preference
from dnc.storage import audit_repo, consent_repo, replies_repo
from dnc.storage.replies_repo import StoredReply

NOT_RECEIVED_YET = "a reply is dated when it arrived, never later than now"
MAX_TEXT = 10_000
"""Characters of a reply kept as evidence (it is read up to dnc.replies' own limit)."""


class Effect:
    """What recording a reply did (the ``effect`` stored with it)."""

    OPT_OUT = "opt_out"
    REFUSED = "refused"
    CALLBACK = "callback"
    PREFERENCE = "preference"
    NONE = "none"
    NO_CAMPAIGN = "no_campaign"  # a refusal or callback with no campaign to count it for


@dataclass(frozen=True, slots=True)
class RecordedReply:
    """A reply as stored, how it was read, and what it did."""

    reply: StoredReply
    reading: ReplyIntent
    entry: ListEntry | None = None
    outcome: RecordedOutcome | None = None
    preference: Preference | None = None

    @property
    def effect(self) -> str:
        return self.reply.effect

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.reply.id,
            "number": self.reply.number,
            "channel": self.reply.channel,
            "campaign": self.reply.campaign,
            "received_at": self.reply.received_at.isoformat(),
            "recorded_at": self.reply.recorded_at.isoformat(),
            "reading": self.reading.to_dict(),
            "effect": self.reply.effect,
            "list_entry_id": self.reply.list_entry_id,
            "outcome_id": self.reply.outcome_id,
        }


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply to record, as given."""

    number: str
    text: str
    channel: str
    received_at: datetime | None = None
    campaign: str | None = None
    agent: str | None = None


class ReadReply(NamedTuple):
    """A reply checked and read, ready to record."""

    reply: Reply
    phone: PhoneNumber
    reading: ReplyIntent
    received: datetime
    actor: str


def record_reply(
    app: App, reply: Reply, *, language: str | None, actor: str | None
) -> RecordedReply:
    """Read one reply and record it with its effect; durable when this returns."""
    phone, reading, received = read(app, reply, language)
    item = ReadReply(reply, phone, reading, received, app.actor(actor or reply.agent))
    with app.store.unit(write=True) as uow:
        [recorded] = record_many(uow.connection, app, [item])
        uow.commit()
    return recorded


def record_many(conn: Connection, app: App, items: Sequence[ReadReply]) -> list[RecordedReply]:
    """Record read replies and their effects inside the caller's unit of work,
    set-based: opt-outs through the one list write path, refusals and
    callbacks as outcomes, standing wishes as preferred hours."""
    now = app.now()
    plans = [_plan(app, item, now) for item in items]
    entries = iter(
        record_entries(
            conn,
            [p.entry for p in plans if p.entry is not None],
            action="opt_out",
            recorded=now,
        )
    )
    outcomes = iter(
        outcome_cases.record_many(
            conn, app, [p.outcome for p in plans if p.outcome is not None], recorded=now
        )
    )
    wishes = consent_repo.preferences_of(
        conn, [item.phone.key for item, plan in zip(items, plans, strict=True) if plan.wish]
    )
    done, changed = [], []
    for item, plan in zip(items, plans, strict=True):
        entry = next(entries) if plan.entry is not None else None
        outcome = next(outcomes) if plan.outcome is not None else None
        preference = None
        if plan.wish:
            before = wishes.get(item.phone.key)
            preference = _wished(before, plan.not_before, plan.not_after)
            wishes[item.phone.key] = preference
            changed.append((item.phone, preference, item.actor))
        done.append((item, plan.effect, entry, outcome, preference))
    store_preferences(conn, changed, now=now)
    stored = replies_repo.insert_replies(
        conn,
        [_row(item, effect, entry, outcome, now) for item, effect, entry, outcome, _ in done],
    )
    audit_repo.append_many(
        conn,
        [
            _audit(item.phone, reply, item.reading, item.actor)
            for (item, *_), reply in zip(done, stored, strict=True)
        ],
    )
    return [
        RecordedReply(reply, item.reading, entry, outcome, preference)
        for (item, _, entry, outcome, preference), reply in zip(done, stored, strict=True)
    ]


class _Plan(NamedTuple):
    """What one reply will do: its effect and what recording it takes."""

    effect: str
    entry: NewEntry | None = None
    outcome: NewOutcome | None = None
    not_before: time | None = None
    not_after: time | None = None

    @property
    def wish(self) -> bool:
        return self.effect == Effect.PREFERENCE


def _plan(app: App, item: ReadReply, now: datetime) -> _Plan:
    reply, phone = item.reply, item.phone
    zone = phone.time_zones[0] if phone.time_zones else "UTC"
    action = item.reading.action(item.received, zone)
    note = _evidence(reply, item.reading)
    if action.outcome is Outcome.OPT_OUT:
        channel = choice(Channel, reply.channel, "channel")
        entry = NewEntry(phone.key, None, Source.OPT_OUT, channel, item.received, item.actor, note)
        return _Plan(Effect.OPT_OUT, entry=entry)
    if action.outcome is not None:
        if reply.campaign is None:
            return _Plan(Effect.NO_CAMPAIGN)
        record = build_record(
            app.config.campaigns,
            campaign=reply.campaign,
            outcome=action.outcome.value,
            at=item.received,
            callback_at=action.callback_at,
            refusals=max(action.refusals, 1) if action.outcome is Outcome.REFUSED else 1,
            note=note,
            agent=reply.agent,
            now=now,
        )
        effect = Effect.REFUSED if action.outcome is Outcome.REFUSED else Effect.CALLBACK
        return _Plan(effect, outcome=NewOutcome(phone, record, item.actor))
    if action.not_before is not None or action.not_after is not None:
        return _Plan(Effect.PREFERENCE, not_before=action.not_before, not_after=action.not_after)
    return _Plan(Effect.NONE)


def _row(
    item: ReadReply,
    effect: str,
    entry: ListEntry | None,
    outcome: RecordedOutcome | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "number": item.phone.key,
        "text": item.reply.text,
        "channel": item.reply.channel,
        "campaign": item.reply.campaign,
        "received_at": item.received,
        "recorded_at": now,
        "intent": item.reading.intent.value,
        "language": item.reading.language,
        "per_se": item.reading.per_se,
        "matches": [m.to_dict() for m in item.reading.matches],
        "effect": effect,
        "list_entry_id": entry.id if entry else None,
        "outcome_id": outcome.record.id if outcome else None,
        "actor": item.actor,
    }


def replies(app: App, number: str) -> list[StoredReply]:
    """Every reply recorded from ``number``, oldest first."""
    key = app.parse(number).key
    with app.store.unit() as uow:
        return replies_repo.for_number(uow.connection, key)


def read(
    app: App,
    reply: Reply,
    language: str | None,
    readings: dict[str, ReplyIntent] | None = None,
) -> tuple[PhoneNumber, ReplyIntent, datetime]:
    """Check and read one reply: its number, its reading, when it arrived.

    ``readings`` remembers texts already read (classification is pure): a
    gateway export repeats "STOP", "Stop" and "no thanks" thousands of times."""
    if not isinstance(reply.text, str) or not reply.text.strip():
        raise InputError("a reply needs its text")
    if len(reply.text) > MAX_TEXT:
        raise InputError(f"a reply's text is at most {MAX_TEXT:,} characters")
    choice(Channel, reply.channel, "channel")
    if reply.campaign is not None and not reply.campaign.strip():
        raise InputError("a campaign name cannot be empty")
    received = not_after_now(
        app.at(reply.received_at, "received_at"), app.now(), "reply time", NOT_RECEIVED_YET
    )
    phone = app.parse(reply.number)
    reading = readings.get(reply.text) if readings is not None else None
    if reading is None:
        reading = classify_reply(reply.text, language)
        if readings is not None:
            readings[reply.text] = reading
    return phone, reading, received


def _wished(before: Preference | None, not_before: Any, not_after: Any) -> Preference:
    """The standing wish a reply states, over what the person wished before:
    a reply changes only what it names."""
    changed = {"not_before": not_before} if not_before is not None else {}
    if not_after is not None:
        changed["not_after"] = not_after
    return dataclasses.replace(before or Preference(), **changed)


def _evidence(reply: Reply, reading: ReplyIntent) -> str:
    """The note kept with the effect: what was received and what fired."""
    fired = ", ".join(f"{m.text!r} ({m.rule_id})" for m in reading.matches[:3])
    quoted = reply.text if len(reply.text) <= 300 else reply.text[:300] + "…"
    return f"{reply.channel} reply {quoted!r}" + (f"; read by {fired}" if fired else "")


def _audit(
    phone: PhoneNumber, stored: StoredReply, reading: ReplyIntent, actor: str
) -> AuditRecord:
    return AuditRecord(
        at=stored.recorded_at,
        actor=actor,
        action="reply",
        number=phone.e164,
        subject=f"reply:{stored.channel}",
        after={
            "reply": stored.id,
            "received_at": stored.received_at.isoformat(),
            "intent": reading.intent.value,
            "language": reading.language,
            "per_se": reading.per_se,
            "rules": list(reading.rule_ids),
            "effect": stored.effect,
        },
        reason=stored.text if len(stored.text) <= 500 else stored.text[:500] + "…",
    )
