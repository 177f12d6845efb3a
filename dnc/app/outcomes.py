"""Call outcomes: what a dialer reports, and what it does to the number.

One unit of work per outcome holds the attempt, its list entry when the
outcome is an opt-out or a wrong number, the audit records, and the queue
effects, so a dialer never sees half of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy.engine import Connection

from dnc.app.context import App, choice
from dnc.app.effects import record_entries, suppress_queued
from dnc.audit import AuditRecord
from dnc.clock import not_after_now
from dnc.decide import combine
from dnc.errors import InputError
from dnc.lists import POST_DATED, Channel, ListEntry, NewEntry, Source, list_reasons
from dnc.moments import minute
from dnc.numbers import PhoneNumber
from dnc.outcomes import (
    CampaignState,
    Outcome,
    OutcomeRecord,
    RecordedOutcome,
    attempts_on_local_day,
    latest,
    outcome_reasons,
    refusal_count,
)
from dnc.policy import CampaignPolicies, NosScope
from dnc.queue import QueueStatus, reasons_to_json
from dnc.storage import abandon_repo, audit_repo, lists_repo, outcomes_repo, queue_claims
from dnc.storage.queue_verdicts import Suppression
from dnc.verdicts import ReasonCode

MAX_REFUSALS_PER_CALL = 100

# After these the number may be tried again (the next claim re-checks when).
_TRY_AGAIN = frozenset(
    {
        Outcome.NO_ANSWER,
        Outcome.BUSY,
        Outcome.VOICEMAIL,
        Outcome.HUNG_UP,
        Outcome.CALLBACK,
        Outcome.ABANDONED,  # the person was never served: the lead is still open
    }
)


def record_outcome(
    app: App,
    number: str,
    *,
    campaign: str,
    outcome: str,
    at: datetime | None,
    callback_at: datetime | None,
    refusals: int,
    note: str | None,
    agent: str | None,
    actor: str | None,
) -> RecordedOutcome:
    """How a call ended (docs/outcomes.md); durable when this returns.

    ``opt_out`` puts the number on the internal list, ``wrong_number`` on the
    campaign's list; the third refusal suppresses it. The audit names
    ``actor``, else ``agent``, else the configured actor.
    """
    phone = app.parse(number)
    record = build_record(
        app.config.campaigns,
        campaign=campaign,
        outcome=outcome,
        at=app.at(at),
        callback_at=app.at(callback_at, "callback_at") if callback_at else None,
        refusals=refusals,
        note=note,
        agent=agent,
        now=app.now(),
    )
    who = app.actor(actor or agent)
    with app.store.unit(write=True) as uow:
        recorded = record_in(uow.connection, app, phone, record, actor=who, recorded=app.now())
        uow.commit()
    return recorded


class NewOutcome(NamedTuple):
    """A validated outcome to record for a number, and who records it."""

    phone: PhoneNumber
    record: OutcomeRecord
    actor: str


def record_in(
    conn: Connection,
    app: App,
    phone: PhoneNumber,
    record: OutcomeRecord,
    *,
    actor: str,
    recorded: datetime,
) -> RecordedOutcome:
    """Record one validated outcome inside the caller's unit of work."""
    return record_many(conn, app, [NewOutcome(phone, record, actor)], recorded=recorded)[0]


def record_many(
    conn: Connection, app: App, new: Sequence[NewOutcome], *, recorded: datetime
) -> list[RecordedOutcome]:
    """Record validated outcomes, in order, inside the caller's unit of work:
    the attempts, their list entries, the audit records and the queue
    effects, a statement per kind of write whatever the count. Each
    outcome's before and after states see the outcomes before it."""
    if not new:
        return []
    policies = app.config.campaigns
    keys = [n.phone.key for n in new]
    outcomes_repo.lock_numbers(conn, keys)
    entries = lists_repo.live_entries_of(conn, keys)
    history = outcomes_repo.of_numbers(conn, keys)
    stored = outcomes_repo.insert_outcomes(
        conn, [(n.phone.key, n.record, n.actor) for n in new], recorded
    )
    counted = abandon_repo.count(conn, stored)
    if counted and app.judge.gate is not None:
        app.judge.gate.forget(counted)
    # The dialer's claim ends first: a number it opted out is then done, and
    # leaves every other queue below.
    queue_claims.finish_claims(
        conn,
        [(n.phone.key, s.campaign, _after_call(s)) for n, s in zip(new, stored, strict=True)],
        recorded,
    )
    listed = iter(_list_effects(conn, new, stored, recorded))
    done: list[RecordedOutcome] = []
    for item, outcome in zip(new, stored, strict=True):
        key, campaign, at = item.phone.key, outcome.campaign, item.record.at
        own = entries.setdefault(key, [])
        past = history.setdefault(key, [])
        before = campaign_state(item.phone, policies, campaign, own, past, at)
        if _lists(outcome):
            own.append(next(listed))
        past.append(outcome)
        after = campaign_state(item.phone, policies, campaign, own, past, at)
        done.append(RecordedOutcome(outcome, before, after))
    audit_repo.append_many(
        conn,
        [
            record
            for item, result in zip(new, done, strict=True)
            for record in _audits(item, result, recorded)
        ],
    )
    suppress_queued(
        conn,
        [
            found
            for item, result in zip(new, done, strict=True)
            if (found := _crossing(item, result, policies)) is not None
        ],
        recorded,
    )
    return done


def _after_call(stored: OutcomeRecord) -> QueueStatus:
    return QueueStatus.READY if stored.outcome in _TRY_AGAIN else QueueStatus.DONE


def outcomes(app: App, number: str, campaign: str | None) -> list[OutcomeRecord]:
    """Every recorded outcome of ``number`` (optionally one campaign), oldest first."""
    key = app.parse(number).key
    with app.store.unit() as uow:
        return outcomes_repo.for_number(uow.connection, key, campaign)


def build_record(
    policies: CampaignPolicies,
    *,
    campaign: str,
    outcome: str,
    at: datetime,
    callback_at: datetime | None,
    refusals: int,
    note: str | None,
    agent: str | None,
    now: datetime,
) -> OutcomeRecord:
    """Validate what a dialer reported and resolve the callback time.

    An opt-out is never dated later than ``now`` (beyond the clock skew).
    """
    if not isinstance(campaign, str) or not campaign.strip():
        raise InputError("an outcome needs a campaign")
    name = campaign.strip()
    if len(name) > 100:
        raise InputError("a campaign name is at most 100 characters")
    kind = choice(Outcome, outcome, "outcome")
    if kind is Outcome.OPT_OUT:
        not_after_now(at, now, "opt-out time", POST_DATED)
    if isinstance(refusals, bool) or not isinstance(refusals, int):
        raise InputError(f"refusals must be a whole number, not {refusals!r}")
    if kind is Outcome.REFUSED:
        if not 1 <= refusals <= MAX_REFUSALS_PER_CALL:
            raise InputError(f"refusals must be between 1 and {MAX_REFUSALS_PER_CALL}")
    elif refusals != 1:
        raise InputError("refusals apply only to the outcome 'refused'")
    if callback_at is not None and kind is not Outcome.CALLBACK:
        raise InputError("a callback time applies only to the outcome 'callback'")
    if kind is Outcome.CALLBACK:
        if callback_at is None:
            callback_at = at + policies.for_campaign(name).callback_delay
        elif callback_at < at:
            raise InputError(
                f"the callback time {callback_at.isoformat()} is before the call ({at.isoformat()})"
            )
    return OutcomeRecord(
        campaign=name,
        outcome=kind,
        at=at,
        refusals=refusals if kind is Outcome.REFUSED else 0,
        callback_at=callback_at,
        agent=agent,
        note=note,
    )


def campaign_state(
    phone: PhoneNumber,
    policies: CampaignPolicies,
    campaign: str,
    entries: Sequence[ListEntry],
    outcomes: Sequence[OutcomeRecord],
    at: datetime,
) -> CampaignState:
    """The number's standing for ``campaign`` at ``at``, from lists and outcomes."""
    reasons = list_reasons(entries, campaign, at)
    reasons.extend(
        outcome_reasons(outcomes, policies.for_campaign, campaign, at, zones=phone.time_zones)
    )
    verdict = combine(phone.e164, reasons, at, schedule=None)
    own = [o for o in outcomes if o.campaign == campaign]
    last = latest(outcomes, campaign)
    return CampaignState(
        campaign=campaign,
        last_outcome=last.outcome if last else None,
        attempts_today=attempts_on_local_day(own, at, phone.time_zones)[0],
        attempts_total=len(own),
        refusals=refusal_count(outcomes, policies.for_campaign(campaign).three_nos, campaign, at),
        reasons=verdict.reasons,
        next_allowed_at=verdict.next_allowed_at,
    )


def outcome_snapshot(record: OutcomeRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "campaign": record.campaign,
        "outcome": record.outcome.value,
        "at": record.at.isoformat(),
        "refusals": record.refusals,
        "callback_at": record.callback_at.isoformat() if record.callback_at else None,
        "agent": record.agent,
        "note": record.note,
    }


def _describe(record: OutcomeRecord) -> str:
    if record.outcome is Outcome.REFUSED and record.refusals > 1:
        return f"refused ×{record.refusals}"
    if record.outcome is Outcome.CALLBACK and record.callback_at:
        return f"callback at {minute(record.callback_at)}"
    return record.outcome.value


def _lists(record: OutcomeRecord) -> bool:
    return record.outcome in (Outcome.OPT_OUT, Outcome.WRONG_NUMBER)


def _list_effects(
    conn: Connection, new: Sequence[NewOutcome], stored: Sequence[OutcomeRecord], at: datetime
) -> list[ListEntry]:
    """An opt-out goes on the internal list, as ``opt_out`` puts it; a wrong
    number on the campaign's list. Either way by the one write path."""
    opt_outs = [
        NewEntry(n.phone.key, None, Source.OPT_OUT, Channel.CALL, s.at, n.actor, s.note)
        for n, s in zip(new, stored, strict=True)
        if s.outcome is Outcome.OPT_OUT
    ]
    wrong = [
        NewEntry(n.phone.key, s.campaign, Source.WRONG_NUMBER, None, s.at, n.actor, s.note)
        for n, s in zip(new, stored, strict=True)
        if s.outcome is Outcome.WRONG_NUMBER
    ]
    made = iter(record_entries(conn, opt_outs, action="opt_out", recorded=at))
    added = iter(record_entries(conn, wrong, action="list_add", recorded=at))
    # Back in the order of the outcomes that made them.
    return [
        next(made) if s.outcome is Outcome.OPT_OUT else next(added) for s in stored if _lists(s)
    ]


def _audits(item: NewOutcome, result: RecordedOutcome, at: datetime) -> list[AuditRecord]:
    stored, before, after = result.record, result.before, result.after
    records = [
        AuditRecord(
            at=at,
            actor=item.actor,
            action="outcome",
            number=item.phone.e164,
            subject=f"campaign:{stored.campaign}",
            before={"state": before.to_dict()},
            after={
                "outcome": outcome_snapshot(stored),
                "state": after.to_dict(),
                "summary": f"{_describe(stored)} → {after.summary}",
            },
            reason=stored.note,
        )
    ]
    if ReasonCode.THREE_NOS in after.codes and ReasonCode.THREE_NOS not in before.codes:
        # The crossing is recorded once: writers of one number are serialised
        # (lock_numbers), so exactly one of them sees it.
        detail = next(r.detail for r in after.reasons if r.code is ReasonCode.THREE_NOS)
        records.append(
            AuditRecord(
                at=at,
                actor=item.actor,
                action="three_nos",
                number=item.phone.e164,
                subject=f"campaign:{stored.campaign}",
                after={"state": after.to_dict(), "summary": detail},
            )
        )
    return records


def _crossing(
    item: NewOutcome, result: RecordedOutcome, policies: CampaignPolicies
) -> Suppression | None:
    """The refusal that crosses the three no's for good takes the number out
    of the queues the policy covers."""
    before, after = result.before, result.after
    if ReasonCode.THREE_NOS not in after.codes or ReasonCode.THREE_NOS in before.codes:
        return None
    crossed = [r for r in after.reasons if r.code is ReasonCode.THREE_NOS and r.until is None]
    if not crossed:
        return None
    scope = policies.for_campaign(result.record.campaign).three_nos.scope
    campaign = None if scope is NosScope.COMPANY else result.record.campaign
    return Suppression(item.phone.key, campaign, reasons_to_json(crossed))
