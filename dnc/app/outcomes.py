"""Call outcomes: what a dialer reports, and what it does to the number.

One unit of work per outcome holds the attempt, its list entry when the
outcome is an opt-out or a wrong number, the audit records, and the queue
effects, so a dialer never sees half of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from dnc.app.context import App, choice
from dnc.app.effects import record_entry, suppress_queued
from dnc.audit import AuditRecord
from dnc.clock import not_after_now
from dnc.decide import combine
from dnc.errors import InputError
from dnc.lists import POST_DATED, Channel, ListEntry, Source, list_reasons
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
from dnc.queue import QueueStatus
from dnc.storage import audit_repo, lists_repo, outcomes_repo, queue_claims
from dnc.verdicts import ReasonCode

MAX_REFUSALS_PER_CALL = 100

# After these the number may be tried again (the next claim re-checks when).
_TRY_AGAIN = frozenset(
    {Outcome.NO_ANSWER, Outcome.BUSY, Outcome.VOICEMAIL, Outcome.HUNG_UP, Outcome.CALLBACK}
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
    recorded = app.now()
    policies = app.config.campaigns
    with app.store.unit(write=True) as uow:
        conn = uow.connection
        outcomes_repo.lock_number(conn, phone.key)
        entries = lists_repo.entries(conn, number=phone.key)
        outcomes = outcomes_repo.for_number(conn, phone.key)
        before = campaign_state(phone, policies, record.campaign, entries, outcomes, record.at)
        stored = outcomes_repo.insert_outcome(
            conn, number=phone.key, record=record, actor=who, recorded_at=recorded
        )
        # The dialer's claim ends first: a number it opted out is then done,
        # and leaves every other queue below.
        queue_claims.finish_claimed(
            conn,
            phone.key,
            stored.campaign,
            QueueStatus.READY if stored.outcome in _TRY_AGAIN else QueueStatus.DONE,
            recorded,
        )
        entry = _list_effect(conn, phone, stored, actor=who, recorded=recorded)
        if entry is not None:
            entries = [*entries, entry]
        after = campaign_state(
            phone, policies, record.campaign, entries, [*outcomes, stored], record.at
        )
        _audit(conn, phone, stored, before, after, actor=who, recorded=recorded)
        _three_nos(conn, phone, stored, before, after, policies, actor=who, recorded=recorded)
        uow.commit()
    return RecordedOutcome(stored, before, after)


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
        return f"callback at {record.callback_at.isoformat()}"
    return record.outcome.value


def _list_effect(
    conn: Connection, phone: PhoneNumber, record: OutcomeRecord, *, actor: str, recorded: datetime
) -> ListEntry | None:
    """An opt-out goes on the internal list, as ``opt_out`` puts it; a wrong
    number on the campaign's list. Either way by the one write path."""
    if record.outcome is Outcome.OPT_OUT:
        campaign, source, channel, action = None, Source.OPT_OUT, Channel.CALL, "opt_out"
    elif record.outcome is Outcome.WRONG_NUMBER:
        campaign, source, channel, action = record.campaign, Source.WRONG_NUMBER, None, "list_add"
    else:
        return None
    return record_entry(
        conn,
        phone.key,
        campaign=campaign,
        source=source,
        channel=channel,
        created_at=record.at,
        note=record.note,
        expires_at=None,
        actor=actor,
        action=action,
        recorded=recorded,
    )


def _audit(
    conn: Connection,
    phone: PhoneNumber,
    stored: OutcomeRecord,
    before: CampaignState,
    after: CampaignState,
    *,
    actor: str,
    recorded: datetime,
) -> None:
    audit_repo.append(
        conn,
        AuditRecord(
            at=recorded,
            actor=actor,
            action="outcome",
            number=phone.e164,
            subject=f"campaign:{stored.campaign}",
            before={"state": before.to_dict()},
            after={
                "outcome": outcome_snapshot(stored),
                "state": after.to_dict(),
                "summary": f"{_describe(stored)} → {after.summary}",
            },
            reason=stored.note,
        ),
    )


def _three_nos(
    conn: Connection,
    phone: PhoneNumber,
    stored: OutcomeRecord,
    before: CampaignState,
    after: CampaignState,
    policies: CampaignPolicies,
    *,
    actor: str,
    recorded: datetime,
) -> None:
    """The refusal that crosses the threshold: recorded once (writers of one
    number are serialised by ``lock_number``) and out of the queues it covers."""
    if ReasonCode.THREE_NOS not in after.codes or ReasonCode.THREE_NOS in before.codes:
        return
    detail = next(r.detail for r in after.reasons if r.code is ReasonCode.THREE_NOS)
    audit_repo.append(
        conn,
        AuditRecord(
            at=recorded,
            actor=actor,
            action="three_nos",
            number=phone.e164,
            subject=f"campaign:{stored.campaign}",
            after={"state": after.to_dict(), "summary": detail},
        ),
    )
    crossed = [r for r in after.reasons if r.code is ReasonCode.THREE_NOS and r.until is None]
    if crossed:
        scope = policies.for_campaign(stored.campaign).three_nos.scope
        campaign = None if scope is NosScope.COMPANY else stored.campaign
        suppress_queued(conn, phone.key, campaign, crossed, recorded)
